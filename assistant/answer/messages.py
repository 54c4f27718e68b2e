"""The assistant's own words in each supported language: refusals, notes, greetings, deadline status, facts.

The texts live in ``messages/<lang>.yaml`` (key -> template with ``{placeholders}``), read once at import and
checked: every file has exactly the keys of ``en.yaml``, each text non-empty with the same placeholders as its
English one. A wrong file raises ``MessageFileError`` naming the file and the key.
"""

from __future__ import annotations

import re
import string
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    StrictStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

MESSAGE_DIR: Traversable = files(__package__) / "messages"
Text = Annotated[StrictStr, StringConstraints(pattern=r"\S")]


class MessageFileError(ValueError):
    """A message file that cannot be used."""


def placeholders(text: str) -> frozenset[str]:
    """The ``{names}`` a template fills; ValueError for a stray brace or a field other than a plain name."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            if not name.isidentifier() or spec or conversion:
                raise ValueError(f"{{{name}}} is not a plain {{name}} placeholder")
            names.add(name)
    return frozenset(names)


class MessageFile(BaseModel):
    """One language's texts; with ``context={"english": texts}`` also checked against the English ones."""

    texts: dict[StrictStr, Text]

    @field_validator("texts")
    @classmethod
    def _placeholders_parse(cls, texts: dict[str, str]) -> dict[str, str]:
        for key, text in texts.items():
            try:
                placeholders(text)
            except ValueError as exc:
                raise ValueError(f"key {key!r}: {exc}") from None
        return texts

    @model_validator(mode="after")
    def _matches_english(self, info: ValidationInfo) -> MessageFile:
        english: dict[str, str] | None = (info.context or {}).get("english")
        if english is None:
            return self
        problems = [f"key {key!r} is missing" for key in english if key not in self.texts]
        problems += [f"key {key!r} is not in en.yaml" for key in self.texts if key not in english]
        for key in english.keys() & self.texts.keys():
            want, got = placeholders(english[key]), placeholders(self.texts[key])
            if want != got:
                problems.append(f"key {key!r} has placeholders {sorted(got)}, en.yaml has {sorted(want)}")
        if problems:
            raise ValueError("; ".join(sorted(problems)))
        return self


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader (libyaml's when built), refusing a key given twice (which would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", node.start_mark)
        return super().construct_mapping(node, deep)


def _read(path: Traversable, english: dict[str, str] | None) -> dict[str, str]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        return MessageFile.model_validate({"texts": data}, context={"english": english}).texts
    except yaml.YAMLError as exc:
        raise MessageFileError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        details = []
        for error in exc.errors():
            where = f"key {error['loc'][1]!r}: " if len(error["loc"]) > 1 else ""
            what = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            details.append(where + what)
        raise MessageFileError(f"{path}: " + "; ".join(details)) from None


def load_messages(folder: Traversable = MESSAGE_DIR) -> dict[str, dict[str, str]]:
    """Every ``<lang>.yaml`` of ``folder``, English first, as lang -> key -> template; MessageFileError if one is
    wrong."""
    paths = {path.name.removesuffix(".yaml"): path for path in folder.iterdir() if path.name.endswith(".yaml")}
    if "en" not in paths:
        raise MessageFileError(f"{folder}: no en.yaml")
    english = _read(paths.pop("en"), None)
    return {"en": english} | {lang: _read(paths[lang], english) for lang in sorted(paths)}


MESSAGES: dict[str, dict[str, str]] = load_messages()


def message(lang: str, key: str, **values: object) -> str:
    """The assistant's own sentence ``key`` in ``lang`` (English when the language is not supported)."""
    text = MESSAGES.get(lang, MESSAGES["en"]).get(key) or MESSAGES["en"][key]
    # A value that ends its sentence with its own full stop (a Hungarian date, "2023. szeptember 19.") takes the
    # template's.
    return _DOUBLE_STOP.sub(".", text.format(**values))


_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
