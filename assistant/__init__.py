"""twinning-assistant: answers questions about EU town-twinning funding (CERV, CEMR) from a document corpus."""

__version__ = "0.1.0"
