"""Quarterly community safety performance reports: data, statistics, wording, charts and the build."""
