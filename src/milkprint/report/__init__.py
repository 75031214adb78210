"""Disclosure: the Annex A report (HTML, PDF, DOCX), the carbon label, the water declaration, validity."""
