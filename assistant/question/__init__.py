"""Question understanding: language, normalised text, intents, years, calls, countries and follow-up condensation.

Below both retrieval and answering: it imports from neither."""
