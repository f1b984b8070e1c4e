"""Telegram-like validation of outgoing content, used by :mod:`fake_telegram`.

The parsers follow tdlib (the library behind the Bot API server) closely enough that the
error descriptions match what the real Bot API returns, e.g.
``Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 5``.

Public helpers:

- ``ApiError(status, description, parameters=None)``: raised to make the fake answer with
  ``{"ok": false, "error_code": status, "description": ..., "parameters": ...}``.
- ``utf16_len(text) -> int``: length in UTF-16 code units, the unit Telegram counts in.
- ``FormattedText(text, entities)``: the plain text and ``MessageEntity`` dicts of a message.
- ``parse_formatted(text, parse_mode, *, strict_html_entities=True) -> FormattedText``:
  parses ``HTML``, ``MarkdownV2`` or legacy ``Markdown`` (or nothing when ``parse_mode`` is
  empty) and trims surrounding whitespace like Telegram does.
- ``check_text(text, parse_mode, *, limit=4096, ...) -> FormattedText``: message text rules
  (empty after parsing, too long).
- ``check_caption(caption, parse_mode, *, limit=1024, ...) -> FormattedText``.
- ``check_reply_markup(raw) -> dict | None``: parses a JSON-encoded (or already decoded)
  reply markup and validates inline keyboards (``BUTTON_DATA_INVALID`` etc.).
- ``check_bot_commands(raw) -> list[dict]``: validation for ``setMyCommands``.

Deliberate difference from Telegram: with ``strict_html_entities`` (the default) an ``&``
that does not start ``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` or a numeric reference is
rejected. Telegram keeps such text as is, but the Bot API docs require escaping, and a bot
that forgets to escape user input would break on the next ``<``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ApiError",
    "FormattedText",
    "check_bot_commands",
    "check_caption",
    "check_reply_markup",
    "check_text",
    "parse_formatted",
    "utf16_len",
]

JSONDict = dict[str, Any]


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSONDict:
        """The JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class FormattedText:
    """Text as Telegram stores it: markup removed, formatting kept as entities."""

    text: str
    entities: list[JSONDict] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _u16(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _parse_error(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {message}")


def _is_space(char: str) -> bool:
    # tdlib's is_space; "\0" stands for the end of the text.
    return char in " \t\r\n\v\f\0"


class _Text:
    """The markup being parsed, with tdlib-style access beyond its end."""

    def __init__(self, text: str):
        self.text = text
        self.size = len(text)

    def at(self, index: int) -> str:
        return self.text[index] if index < self.size else "\0"

    def offset(self, index: int) -> int:
        return _byte_offset(self.text, index)


# --------------------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SURROGATE_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)


@dataclass
class _OpenTag:
    tag: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the output
    byte_offset: int
    language: str = ""


def _decode_entity(src: _Text, index: int) -> tuple[str, int] | None:
    """Decode the character reference starting with ``&`` at ``index``."""
    pos = index + 1
    if src.at(pos) == "#":
        pos += 1
        digits = "0123456789"
        base = 10
        if src.at(pos) in "xX":
            base, digits = 16, "0123456789abcdefABCDEF"
            pos += 1
        start = pos
        while src.at(pos) != "\0" and src.at(pos) in digits:
            pos += 1
        if pos == start or pos - start > 8:
            return None
        code = int(src.text[start:pos], base)
        if code == 0 or code > 0x10FFFF:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise _parse_error(_SURROGATE_ERROR)
        char = chr(code)
    else:
        start = pos
        while src.at(pos).isascii() and src.at(pos).isalpha():
            pos += 1
        name = src.text[start:pos]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if src.at(pos) == ";":
        pos += 1
    return char, pos


def _is_name_char(char: str) -> bool:
    return (char.isascii() and char.isalnum()) or char in ".-"


def _parse_attributes(src: _Text, pos: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse the attributes of a start tag; return them and the index of ``>``."""
    attrs: dict[str, str] = {}
    while src.at(pos) != ">":
        while pos < src.size and _is_space(src.text[pos]):
            pos += 1
        if src.at(pos) == ">":
            break
        name_begin = pos
        while not _is_space(src.at(pos)) and src.at(pos) != "=":
            pos += 1
        name = src.text[name_begin:pos].lower()
        if not name:
            raise _parse_error(
                f'Empty attribute name in the tag "{tag}" at byte offset {src.offset(begin)}'
            )
        while pos < src.size and _is_space(src.text[pos]):
            pos += 1
        if src.at(pos) != "=":
            raise _parse_error(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {src.offset(begin)}'
            )
        pos += 1
        while pos < src.size and _is_space(src.text[pos]):
            pos += 1
        if pos >= src.size:
            raise _parse_error(f'Unclosed start tag "{tag}" at byte offset {src.offset(begin)}')
        if src.at(pos) not in "'\"":
            token_begin = pos
            while _is_name_char(src.at(pos)):
                pos += 1
            value = src.text[token_begin:pos].lower()
            if not _is_space(src.at(pos)) and src.at(pos) != ">":
                raise _parse_error(
                    f"Unexpected end of name token at byte offset {src.offset(token_begin)}"
                )
        else:
            quote = src.text[pos]
            pos += 1
            chars: list[str] = []
            while pos < src.size and src.text[pos] != quote:
                if src.text[pos] == "&":
                    decoded = _decode_entity(src, pos)
                    if decoded is not None:
                        chars.append(decoded[0])
                        pos = decoded[1]
                        continue
                chars.append(src.text[pos])
                pos += 1
            if pos < src.size:
                pos += 1
            value = "".join(chars)
        if pos >= src.size:
            raise _parse_error(f"Unclosed start tag at byte offset {src.offset(begin)}")
        attrs[name] = value
    return attrs, pos


def _html_entity(open_tag: _OpenTag, length: int) -> JSONDict | None:
    """The MessageEntity a closed tag produces, or None when Telegram drops it."""
    kind = _HTML_TAGS[open_tag.tag]
    entity: JSONDict = {"type": kind, "offset": open_tag.offset, "length": length}
    if kind == "text_link":
        url = open_tag.attrs.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif kind == "custom_emoji":
        emoji_id = open_tag.attrs.get("emoji-id", "")
        if not emoji_id:
            return None
        entity["custom_emoji_id"] = emoji_id
    elif kind == "pre" and open_tag.language:
        entity["language"] = open_tag.language
    elif kind == "blockquote" and "expandable" in open_tag.attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def parse_html(text: str, *, strict_entities: bool = True) -> FormattedText:
    """Parse Telegram HTML into plain text and entities (raises ApiError)."""
    src = _Text(text)
    out: list[str] = []
    offset = 0
    entities: list[JSONDict] = []
    stack: list[_OpenTag] = []
    pos = 0
    while pos < src.size:
        char = src.text[pos]
        if char == "&":
            decoded = _decode_entity(src, pos)
            if decoded is None:
                if strict_entities:
                    raise _parse_error(
                        f'Unsupported HTML entity at byte offset {src.offset(pos)}: escape "&" '
                        'as "&amp;"'
                    )
                decoded = ("&", pos + 1)
            out.append(decoded[0])
            offset += _u16(decoded[0])
            pos = decoded[1]
            continue
        if char != "<":
            out.append(char)
            offset += _u16(char)
            pos += 1
            continue
        begin = pos
        pos += 1
        if src.at(pos) != "/":
            while not _is_space(src.at(pos)) and src.at(pos) != ">":
                pos += 1
            if pos >= src.size:
                raise _parse_error(f"Unclosed start tag at byte offset {src.offset(begin)}")
            tag = src.text[begin + 1 : pos].lower()
            if tag not in _HTML_TAGS:
                raise _parse_error(
                    f'Unsupported start tag "{tag}" at byte offset {src.offset(begin)}'
                )
            attrs, pos = _parse_attributes(src, pos, tag, begin)
            pos += 1  # skip ">"
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise _parse_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {src.offset(begin)}'
                )
            stack.append(_OpenTag(tag, attrs, offset, src.offset(begin)))
            continue
        if not stack:
            raise _parse_error(f"Unexpected end tag at byte offset {src.offset(begin)}")
        pos += 1
        name_begin = pos
        while not _is_space(src.at(pos)) and src.at(pos) != ">":
            pos += 1
        end_tag = src.text[name_begin:pos].lower()
        while pos < src.size and _is_space(src.text[pos]):
            pos += 1
        if src.at(pos) != ">":
            raise _parse_error(f"Unclosed end tag at byte offset {src.offset(begin)}")
        pos += 1
        open_tag = stack.pop()
        if end_tag and end_tag != open_tag.tag:
            raise _parse_error(
                f"Unmatched end tag at byte offset {src.offset(begin)}, "
                f'expected "</{open_tag.tag}>", found "</{end_tag}>"'
            )
        language = open_tag.attrs.get("class", "")
        if open_tag.tag == "code" and stack and stack[-1].tag == "pre":
            if language.startswith("language-"):
                stack[-1].language = language.removeprefix("language-")
                continue
        if offset > open_tag.offset:
            entity = _html_entity(open_tag, offset - open_tag.offset)
            if entity is not None:
                entities.append(entity)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return FormattedText("".join(out), entities)


# --------------------------------------------------------------------------- Markdown

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenMd:
    kind: str
    offset: int
    byte_offset: int
    out_pos: int
    argument: str = ""


def _mdv2_is_end(src: _Text, pos: int, kind: str) -> bool:
    char = src.text[pos]
    return {
        "bold": char == "*",
        "italic": char == "_" and src.at(pos + 1) != "_",
        "code": char == "`",
        "pre": src.text.startswith("```", pos),
        "text_link": char == "]",
        "custom_emoji": char == "]",
        "underline": src.text.startswith("__", pos),
        "strikethrough": char == "~",
        "spoiler": src.text.startswith("||", pos),
    }[kind]


def _reserved_error(char: str) -> ApiError:
    return _parse_error(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _mdv2_open(src: _Text, pos: int) -> tuple[str, str, int]:
    """Start an entity at ``pos``; return (kind, argument, index after the marker)."""
    char = src.text[pos]
    nxt = src.at(pos + 1)
    if char == "_":
        return ("underline", "", pos + 2) if nxt == "_" else ("italic", "", pos + 1)
    simple = {"*": "bold", "~": "strikethrough", "[": "text_link"}
    if char in simple:
        return simple[char], "", pos + 1
    if char == "|" and nxt == "|":
        return "spoiler", "", pos + 2
    if char == "!" and nxt == "[":
        return "custom_emoji", "", pos + 2
    if char != "`":
        raise _reserved_error(char)
    if not src.text.startswith("```", pos):
        return "code", "", pos + 1
    pos += 3
    language_end = pos
    while not _is_space(src.at(language_end)) and src.at(language_end) != "`":
        language_end += 1
    language = ""
    if pos != language_end and language_end < src.size and src.text[language_end] != "`":
        language = src.text[pos:language_end]
        pos = language_end
    if src.at(pos) in "\r\n" and pos < src.size:
        both = src.at(pos + 1) in "\r\n" and src.at(pos + 1) != src.at(pos) and pos + 1 < src.size
        pos += 2 if both else 1
    return "pre", language, pos


def _read_md_url(src: _Text, pos: int) -> tuple[str, int]:
    """Read ``(url)`` starting at ``(``; return the url and the index after ``)``."""
    pos += 1
    url_begin = pos
    chars: list[str] = []
    while pos < src.size and src.text[pos] != ")":
        if src.text[pos] == "\\" and 0 < ord(src.at(pos + 1)) <= 126:
            chars.append(src.text[pos + 1])
            pos += 2
            continue
        chars.append(src.text[pos])
        pos += 1
    if pos >= src.size:
        raise _parse_error(f"Can't find end of a URL at byte offset {src.offset(url_begin)}")
    return "".join(chars), pos + 1


def parse_markdown_v2(text: str) -> FormattedText:
    """Parse MarkdownV2 into plain text and entities (raises ApiError)."""
    src = _Text(text)
    out: list[str] = []
    offset = 0
    entities: list[JSONDict] = []
    stack: list[_OpenMd] = []
    pos = 0
    while pos < src.size:
        char = src.text[pos]
        if char == "\\" and 0 < ord(src.at(pos + 1)) <= 126:
            out.append(src.text[pos + 1])
            offset += 1
            pos += 2
            continue
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        if char not in ("`" if in_code else _MDV2_RESERVED):
            out.append(char)
            offset += _u16(char)
            pos += 1
            continue
        if not stack or not _mdv2_is_end(src, pos, stack[-1].kind):
            if char == ">" and (pos == 0 or src.text[pos - 1] == "\n"):
                pos += 1  # block quotation line; approximated without an entity
                continue
            kind, argument, new_pos = _mdv2_open(src, pos)
            stack.append(_OpenMd(kind, offset, src.offset(pos), len(out), argument))
            pos = new_pos
            continue
        opened = stack.pop()
        entity: JSONDict = {"type": opened.kind, "offset": opened.offset}
        marker = {"underline": 2, "spoiler": 2, "pre": 3}.get(opened.kind, 1)
        pos += marker
        if opened.kind in ("text_link", "custom_emoji"):
            if src.at(pos) == "(":
                url, pos = _read_md_url(src, pos)
            else:
                url = "".join(out[opened.out_pos :])
            if not url:
                continue
            if opened.kind == "text_link":
                entity["url"] = url
            else:
                entity["custom_emoji_id"] = url.removeprefix("tg://emoji?id=")
        if opened.kind == "pre" and opened.argument:
            entity["language"] = opened.argument
        if offset > opened.offset:
            entity["length"] = offset - opened.offset
            entities.append(entity)
    if stack:
        opened = stack[-1]
        name = _MDV2_NAMES[opened.kind]
        if opened.kind == "pre" and opened.argument:
            name = "PreCode"
        raise _parse_error(f"Can't find end of {name} entity at byte offset {opened.byte_offset}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return FormattedText("".join(out), entities)


def parse_markdown(text: str) -> FormattedText:
    """Parse legacy Markdown (tdlib's parse_markdown) into plain text and entities."""
    src = _Text(text)
    out: list[str] = []
    offset = 0
    entities: list[JSONDict] = []
    pos = 0
    kinds = {"_": "italic", "*": "bold", "`": "code", "[": "text_link"}
    while pos < src.size:
        char = src.text[pos]
        if char == "\\" and src.at(pos + 1) in "_*`[" and pos + 1 < src.size:
            out.append(src.text[pos + 1])
            offset += 1
            pos += 2
            continue
        if char not in kinds:
            out.append(char)
            offset += _u16(char)
            pos += 1
            continue
        begin = pos
        end_char = "]" if char == "[" else char
        is_pre = src.text.startswith("```", pos)
        pos += 3 if is_pre else 1
        language = ""
        if is_pre:
            language_end = pos
            while not _is_space(src.at(language_end)) and src.at(language_end) != "`":
                language_end += 1
            if pos != language_end and language_end < src.size:
                language, pos = src.text[pos:language_end], language_end
            if src.at(pos) in "\r\n" and pos < src.size:
                pos += 1
        start_offset, start_out = offset, len(out)
        while pos < src.size and (
            src.text[pos] != end_char or (is_pre and not src.text.startswith("```", pos))
        ):
            out.append(src.text[pos])
            offset += _u16(src.text[pos])
            pos += 1
        if pos >= src.size:
            raise _parse_error(
                f"Can't find end of the entity starting at byte offset {src.offset(begin)}"
            )
        entity: JSONDict = {"type": "pre" if is_pre else kinds[char], "offset": start_offset}
        entity["length"] = offset - start_offset
        if char == "[":
            url = "".join(out[start_out:])
            if src.at(pos + 1) == "(":
                close = src.text.find(")", pos + 2)
                close = src.size if close < 0 else close
                url, pos = src.text[pos + 2 : close], close
            entity["url"] = url
        if language:
            entity["language"] = language
        if entity["length"] > 0:
            entities.append(entity)
        pos += 3 if is_pre else 1
    return FormattedText("".join(out), entities)


# --------------------------------------------------------------------------- checks


def _trim(formatted: FormattedText) -> FormattedText:
    """Strip surrounding whitespace and fix entity offsets, as Telegram does."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def parse_formatted(
    text: str, parse_mode: str | None, *, strict_html_entities: bool = True
) -> FormattedText:
    """Parse ``text`` according to ``parse_mode`` and trim it like Telegram."""
    mode = (parse_mode or "").lower()
    if not mode:
        formatted = FormattedText(text)
    elif mode == "html":
        formatted = parse_html(text, strict_entities=strict_html_entities)
    elif mode == "markdownv2":
        formatted = parse_markdown_v2(text)
    elif mode == "markdown":
        formatted = parse_markdown(text)
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    return _trim(formatted)


def check_text(
    text: str | None,
    parse_mode: str | None,
    *,
    limit: int = 4096,
    entities: list[JSONDict] | None = None,
    strict_html_entities: bool = True,
) -> FormattedText:
    """Validate a message text like ``sendMessage`` does."""
    if parse_mode or not entities:
        formatted = parse_formatted(
            text or "", parse_mode, strict_html_entities=strict_html_entities
        )
    else:
        formatted = _trim(FormattedText(text or "", list(entities)))
    if not formatted.text:
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(formatted.text) > limit:
        raise ApiError(400, "Bad Request: message is too long")
    return formatted


def check_caption(
    caption: str | None,
    parse_mode: str | None,
    *,
    limit: int = 1024,
    strict_html_entities: bool = True,
) -> FormattedText:
    """Validate a media caption (may be empty)."""
    formatted = parse_formatted(
        caption or "", parse_mode, strict_html_entities=strict_html_entities
    )
    if utf16_len(formatted.text) > limit:
        raise ApiError(400, "Bad Request: message caption is too long")
    return formatted


_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _decode_json(raw: Any, error: str) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, error) from None


def _check_inline_button(button: Any) -> None:
    prefix = "Bad Request: can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise ApiError(400, prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise ApiError(400, prefix + 'Field "text" must be of type String')
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise ApiError(400, prefix + 'Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if (
            parts is None
            or parts.scheme not in ("http", "https", "tg")
            or (parts.scheme != "tg" and not parts.netloc)
        ):
            raise ApiError(
                400, f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
            )


def check_reply_markup(raw: Any) -> JSONDict | None:
    """Parse and validate ``reply_markup``; returns the decoded dict or None."""
    if raw is None or raw == "":
        return None
    error = "Bad Request: can't parse reply keyboard markup JSON object"
    markup = _decode_json(raw, error)
    if not isinstance(markup, dict):
        raise ApiError(400, error)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an '
                "Array of Arrays",
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(
                400,
                'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an '
                "Array of Arrays",
            )
    elif not markup.get("remove_keyboard") and not markup.get("force_reply"):
        raise ApiError(400, error)
    return markup


_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def check_bot_commands(raw: Any) -> list[JSONDict]:
    """Validate the ``commands`` parameter of ``setMyCommands``."""
    commands = _decode_json(raw, "Bad Request: can't parse commands JSON object")
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: can't parse commands JSON object")
    if len(commands) > 100:
        raise ApiError(400, "Bad Request: too many commands specified")
    for command in commands:
        if not isinstance(command, dict):
            raise ApiError(400, "Bad Request: can't parse BotCommand: BotCommand must be an Object")
        if not _COMMAND_RE.match(str(command.get("command", ""))):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        description = str(command.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    return commands
