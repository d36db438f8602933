"""nbconvert exporters for managers: report HTML (no code, nothing fetched) and PDF printed from it.

Registered as nbconvert exporters (pyproject entry points), so
`jupyter nbconvert --to report_html` and `jupyter nbconvert --to report_pdf` work too.
"""
from __future__ import annotations

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import default

from analysis.paths import TEMPLATES_DIR

# Cells left out of the rendered report: papermill's parameters and checks meant for analysts.
HIDDEN_CELL_TAGS = {"parameters", "injected-parameters", "analyst-only"}


class RemoveStderrPreprocessor(Preprocessor):
    """Drop warnings and other stderr text: a manager's report never shows them."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
        return cell, resources


class ReportHTMLExporter(HTMLExporter):
    """A self-contained report page: outputs and narrative only, the project's own template and CSS."""

    export_from_notebook = "Report HTML"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True
        self.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS), enabled=True)
        self.register_preprocessor(RemoveStderrPreprocessor(), enabled=True)

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES_DIR)]

    @default("template_name")
    def _template_name_default(self):
        return "report"


class ReportPDFExporter(ReportHTMLExporter):
    """The report HTML printed to an A4 PDF by WeasyPrint, with no network access."""

    export_from_notebook = "Report PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        import weasyprint  # imported here: only PDF output needs it

        page, resources = super().from_notebook_node(nb, resources=resources, **kw)
        # Reports embed everything as data: URLs; anything else is refused, never fetched.
        offline = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        pdf = weasyprint.HTML(string=page, url_fetcher=offline).write_pdf()
        resources["output_extension"] = ".pdf"
        return pdf, resources

