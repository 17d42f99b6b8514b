"""Mediation agreements: build the document context from a case, render DOCX and HTML."""
