"""Renderers of report documents, one class per format behind one interface (pip-audit's ``_format``).

Which formats exist, their suffixes and which are binary is :data:`assurance.formats.PANEL`;
each module here ends with ``render = ItsFormat()``, the callable that table names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from assurance.report.document import Document


class DocumentFormat(ABC):
    """Draws a :class:`Document`. Called, it renders and then runs the document's tripwire
    (``Document.check``) on :meth:`reader_text` of the result, so no format can skip it."""

    def __call__(self, document: Document) -> str | bytes:
        content = self.render(document)
        if document.check is not None:
            document.check(self.reader_text(content))
        return content

    @abstractmethod
    def render(self, document: Document) -> str | bytes:
        """The whole document in this format."""

    def reader_text(self, content: str | bytes) -> list[str]:
        """Every text a reader of ``content`` can see, source and rendering alike (what the
        classification tripwire searches): for a text format, the text itself."""
        assert isinstance(content, str)
        return [content]
