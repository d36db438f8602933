"""nbconvert exporters for managers: report HTML (no code, nothing fetched) and PDF printed from it.

Registered as nbconvert exporters (pyproject entry points), so
`jupyter nbconvert --to report_html` and `jupyter nbconvert --to report_pdf` work too.

The paper holds the narrative (Markdown cells) and the outputs marked as parts of the paper
(analysis.paper). Any other output of a cell that is not tagged `analyst-only` (a print, a
DataFrame, an error), and any raw cell, stops the export with the cell's number or first line:
exploration never reaches managers silently. The page title is the report's title, from the title block.
"""
from __future__ import annotations

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import default

from analysis.paper import PAPER_KEY
from analysis.paths import TEMPLATES_DIR

ANALYST_ONLY = "analyst-only"
# Cells left out of the rendered report: papermill's parameters and checks meant for analysts.
HIDDEN_CELL_TAGS = {"parameters", "injected-parameters", ANALYST_ONLY}


class NotPartOfThePaper(ValueError):
    """An untagged cell shows something that is not a part of the paper."""


class PaperOnlyPreprocessor(Preprocessor):
    """Keep the paper's parts; drop warnings (stderr); refuse any other output of a cell that is not
    hidden; title the page. Runs before the hidden cells are removed, so a refusal can name the cell
    as the analyst sees it: its number among the notebook's code cells, and its first line."""

    def preprocess(self, nb, resources):
        number = 0
        for cell in nb.cells:
            tags = set(cell.metadata.get("tags", []))
            if cell.cell_type == "raw" and not tags & HIDDEN_CELL_TAGS:  # e.g. code "disabled" by making it raw
                raise NotPartOfThePaper(f"a raw cell ({_first_line(cell)!r}) is not part of the paper: delete it, or "
                                        f"tag it '{ANALYST_ONLY}'")
            if cell.cell_type != "code" or "injected-parameters" in tags:
                continue
            number += 1
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
            if tags & HIDDEN_CELL_TAGS:
                continue
            for output in cell.outputs:
                part = output.get("metadata", {}).get(PAPER_KEY) if output.output_type in ("display_data", "execute_result") else None
                if part is None:
                    raise NotPartOfThePaper(
                        f"code cell {number} of the notebook ({_first_line(cell)!r}) shows {_describe(output)}, which is not "
                        f"part of the paper: tag the cell '{ANALYST_ONLY}' to keep it for analysts, or remove the output")
                if part.get("title"):
                    nb.metadata["title"] = part["title"]
        return nb, resources


def _first_line(cell) -> str:
    return cell.source.strip().splitlines()[0] if cell.source.strip() else ""


def _describe(output) -> str:
    if output.output_type == "stream":
        return "printed text"
    if output.output_type == "error":
        return f"an error ({output.get('ename', 'error')})"
    return "an output (" + ", ".join(sorted(output.get("data", {}))) + ")"


class ReportHTMLExporter(HTMLExporter):
    """A self-contained report page: the paper's parts and narrative, the project's own template and CSS."""

    export_from_notebook = "Report HTML"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True
        self.register_preprocessor(PaperOnlyPreprocessor(), enabled=True)
        self.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS), enabled=True)

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES_DIR)]

    @default("template_name")
    def _template_name_default(self):
        return "report"


def pdf_from_html(page: str) -> bytes:
    """An A4 PDF of a report page, printed by WeasyPrint with no network access. Tagged (PDF/UA-1):
    a screen reader finds the language, headings, table headers and each chart's alt text."""
    import weasyprint  # imported here: only PDF output needs it

    # Reports embed everything as data: URLs; anything else is refused, never fetched.
    offline = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return weasyprint.HTML(string=page, url_fetcher=offline).write_pdf(pdf_variant="pdf/ua-1")


class ReportPDFExporter(ReportHTMLExporter):
    """The report HTML printed to an A4 PDF."""

    export_from_notebook = "Report PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = super().from_notebook_node(nb, resources=resources, **kw)
        resources["output_extension"] = ".pdf"
        return pdf_from_html(page), resources
