"""The corpus as cited facts: the source registry, the citation markers of documents, and the checks of both."""
