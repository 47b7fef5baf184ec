"""Reports as files: the monthly portfolio report as a workbook and as a PDF."""
