"""Tests of the fake Bot API server, driven by the real python-telegram-bot ``Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from .fake_telegram import FakeTelegramServer
from .telegram_validation import ApiError, parse_formatted

pytestmark = [
    pytest.mark.asyncio,
    # PTB 22 warns whenever an int-valued duration such as RetryAfter.retry_after is read.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123:ABC"
USER = 42


def _retry_after(error: RetryAfter) -> float:
    """``retry_after`` in seconds; PTB 22 returns an int (deprecated) or a timedelta."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        fake.add_chat(USER)
        yield fake


@pytest_asyncio.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url) as client:
        yield client


async def test_get_me(bot: Bot, server: FakeTelegramServer) -> None:
    me = await bot.get_me()
    assert me.id == 123
    assert me.is_bot and me.username == "copro_test_bot" and me.first_name == "CoproBot"
    assert server.url.startswith("http://127.0.0.1:")
    assert server.base_url == server.url + "/bot"


async def test_wrong_token_and_unknown_method(server: FakeTelegramServer) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=server.base_url):
            pass
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}{TOKEN}/noSuchMethod")
        unauthorized = await client.post(f"{server.base_url}999:WRONG/getMe")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert unauthorized.status_code == 401
    assert unauthorized.json()["description"] == "Unauthorized"


async def test_send_message_is_recorded(bot: Bot, server: FakeTelegramServer) -> None:
    first = await bot.send_message(USER, "hello")
    second = await bot.send_message(
        USER, "<b>bold</b> &amp; more", parse_mode="HTML", reply_markup=_keyboard("pick:1")
    )
    assert second.message_id == first.message_id + 1
    assert second.text == "bold & more"
    assert second.entities[0].type == "bold"
    assert second.reply_markup == _keyboard("pick:1")
    record = server.sent[-1]
    assert record["method"] == "sendMessage"
    assert record["chat_id"] == USER
    assert record["text"] == "<b>bold</b> &amp; more"
    assert record["plain_text"] == "bold & more"
    assert record["parse_mode"] == "HTML"
    assert record["reply_markup"] == {
        "inline_keyboard": [[{"text": "Go", "callback_data": "pick:1"}]]
    }
    assert record["message_id"] == second.message_id
    assert record["time"] <= time.monotonic()
    assert server.texts_to(USER) == ["hello", "<b>bold</b> &amp; more"]
    assert server.requests[-1]["status"] == 200


async def test_json_body_is_accepted(server: FakeTelegramServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{server.base_url}{TOKEN}/sendMessage",
            json={"chat_id": USER, "text": "hi", "reply_markup": {"inline_keyboard": []}},
        )
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["text"] == "hi"
    assert server.sent[-1]["reply_markup"] == {"inline_keyboard": []}


async def test_message_length_counts_utf16_units(bot: Bot) -> None:
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 code units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2049)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    # Markup does not count.
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")


async def test_empty_text_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b></b>", parse_mode="HTML")


@pytest.mark.parametrize(
    "text",
    [
        "a < b",
        "Tom & Jerry",
        "line<br>break",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "</b>",
        "<span>no class</span>",
        "<div>x</div>",
        "<b",
    ],
)
async def test_bad_html_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(USER, text, parse_mode="HTML")


async def test_good_html_accepted(bot: Bot) -> None:
    text = (
        "<b>ok</b> &amp; <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler> "
        '<span class="tg-spoiler">y</span> <a href="https://example.org/?a=1&amp;b=2">link</a> '
        '<code>c</code> <pre><code class="language-python">p</code></pre> '
        "<blockquote>q</blockquote> &lt;tag&gt; &quot;x&quot; &#128512; &#x1F600; a > b"
    )
    message = await bot.send_message(USER, text, parse_mode="HTML")
    assert message.text.startswith("ok & it u s x y link c p q <tag>")
    kinds = {entity.type for entity in message.entities}
    assert {"bold", "italic", "spoiler", "text_link", "code", "pre", "blockquote"} <= kinds
    pre = next(e for e in message.entities if e.type == "pre")
    assert pre.language == "python"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Price: 5.00!", False),
        ("Price: 5\\.00\\!", True),
        ("*bold* _it_ __u__ ~s~ ||sp|| `a.b` [x](https://e.org/a_b)", True),
        ("*unclosed", False),
        ("a-b", False),
        ("```python\nprint(1)\n```", True),
        ("> quoted line", True),
    ],
)
async def test_markdown_v2_validation(bot: Bot, text: str, ok: bool) -> None:
    if ok:
        await bot.send_message(USER, text, parse_mode="MarkdownV2")
    else:
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(USER, text, parse_mode="MarkdownV2")


async def test_parsers_report_telegram_errors() -> None:
    with pytest.raises(ApiError) as error:
        parse_formatted("🏟 🏟&lt;<i>a</em   >", "HTML")
    assert error.value.description == (
        "Bad Request: can't parse entities: Unmatched end tag at byte offset 17, "
        'expected "</i>", found "</em>"'
    )
    with pytest.raises(ApiError) as error:
        parse_formatted("ok *bold", "MarkdownV2")
    assert error.value.description.endswith("Can't find end of Bold entity at byte offset 3")
    assert parse_formatted("a & b", "HTML", strict_html_entities=False).text == "a & b"
    formatted = parse_formatted("  😀<b>x</b>  ", "HTML")
    assert formatted.text == "😀x"
    assert formatted.entities == [{"type": "bold", "offset": 2, "length": 1}]
    legacy = parse_formatted("*b* _i_ `c` [l](https://e.org)", "Markdown")
    assert legacy.text == "b i c l"
    assert [e["type"] for e in legacy.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(ApiError, match="Can't find end of the entity starting at byte offset 2"):
        parse_formatted("a *b", "Markdown")


async def test_callback_data_limit_is_64_bytes(bot: Bot, server: FakeTelegramServer) -> None:
    await bot.send_message(USER, "ok", reply_markup=_keyboard("é" * 32))  # 64 bytes
    # PTB does not check the length itself, so the request reaches the server.
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=_keyboard("é" * 33))
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=_keyboard("a" * 65))
    assert server.requests[-1]["status"] == 400
    assert len(server.sent) == 1


async def test_blocked_and_deactivated_users(bot: Bot, server: FakeTelegramServer) -> None:
    server.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    server.unblock(USER)
    await bot.send_message(USER, "hi")
    server.add_update(server.make_my_chat_member_update(USER, "kicked"))
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(USER, "hi")
    server.add_update(server.make_my_chat_member_update(USER, "member"))
    await bot.send_message(USER, "again")
    server.deactivate(7)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(7, "hi")


async def test_unknown_chat(bot: Bot, server: FakeTelegramServer) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hi")
    server.add_update(server.make_text_update(999, "hi"))
    await bot.send_message(999, "hello")


async def test_429_retry_after_and_violations(bot: Bot, server: FakeTelegramServer) -> None:
    server.fail_next("sendMessage", "429", retry_after=3)
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(USER, "hi")
    assert _retry_after(error.value) == 3
    assert server.requests[-1]["status"] == 429
    assert server.retry_after_violations == []
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "too soon")
    assert len(server.retry_after_violations) == 1
    violation = server.retry_after_violations[0]
    assert violation.scope == USER and violation.method == "sendMessage"
    assert 0 < violation.remaining <= 3
    await bot.get_me()  # other scopes are not throttled
    assert server.sent == []


async def test_retry_after_grace_excuses_only_requests_already_in_flight(
    bot: Bot, server: FakeTelegramServer
) -> None:
    server.retry_after_grace = 0.2
    server.fail_next("sendMessage", "429", retry_after=3, scope="global")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "first")
    with pytest.raises(RetryAfter):  # sent before the client could read the 429
        await bot.send_message(USER + 1, "in flight")
    assert server.retry_after_violations == []
    await asyncio.sleep(0.25)
    with pytest.raises(RetryAfter):
        await bot.send_message(USER + 2, "after the 429 was read")
    assert [v.scope for v in server.retry_after_violations] == [None]
    assert server.sent == []


async def test_throttle_for_expires(bot: Bot, server: FakeTelegramServer) -> None:
    server.throttle_for(USER, 0.3)
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(USER, "hi")
    assert _retry_after(error.value) == 1
    await asyncio.sleep(0.35)
    await bot.send_message(USER, "hi")
    assert server.retry_after_violations == []
    server.throttle_for(None, 5)
    with pytest.raises(RetryAfter):
        await bot.get_me()
    assert await bot.get_updates() == ()  # polling is not throttled


async def test_scripted_server_errors(bot: Bot, server: FakeTelegramServer) -> None:
    server.fail_next("sendMessage", "500")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "hi")
    server.fail_next("*", "502")
    with pytest.raises(NetworkError):
        await bot.get_me()
    server.fail_next("sendMessage", "403_blocked", chat_id=USER)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "hi")
    server.fail_next("getMe", "disconnect")
    with pytest.raises(NetworkError):
        await bot.get_me()
    await bot.send_message(USER, "fine")
    assert [r["status"] for r in server.requests] == [200, 500, 502, 403, 499, 200]


async def test_timeout_then_processed(bot: Bot, server: FakeTelegramServer) -> None:
    server.fail_next("sendMessage", "timeout", delay=0.4)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.1)
    assert server.sent == []
    records = await server.wait_for_sent(1, chat_id=USER, timeout=2)
    assert records[0]["text"] == "slow"  # delivered although the client gave up


async def test_get_updates_offset_confirms(bot: Bot, server: FakeTelegramServer) -> None:
    ids = [server.add_update(server.make_text_update(USER, f"m{i}")) for i in range(3)]
    assert ids == [1, 2, 3]
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    updates = await bot.get_updates(offset=3)
    assert [u.message.text for u in updates] == ["m2"]
    assert [u["update_id"] for u in server.pending_updates] == [3]
    assert await bot.get_updates(offset=4) == ()
    assert server.add_update({"update_id": 10, **server.make_text_update(USER, "x")}) == 10
    assert server.add_update(server.make_text_update(USER, "y")) == 11
    assert len(await bot.get_updates(offset=4, limit=1)) == 1


async def test_long_polling_returns_when_update_added(bot: Bot, server: FakeTelegramServer) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    server.add_update(server.make_text_update(USER, "/start"))
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    assert updates[0].message.text == "/start"
    entity = updates[0].message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert time.monotonic() - started >= 0.3


async def test_concurrent_polls_conflict(bot: Bot, server: FakeTelegramServer) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=server.base_url) as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=0.2))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 2)
        assert await second == ()


async def test_allowed_updates_and_webhook(bot: Bot, server: FakeTelegramServer) -> None:
    server.add_update(server.make_text_update(USER, "text"))
    server.add_update(server.make_callback_update(USER, "data"))
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates] == ["data"]
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert server.pending_updates == []


async def test_migrated_group(bot: Bot, server: FakeTelegramServer) -> None:
    server.add_update(server.make_text_update(USER, "hi all", chat_type="group", chat_id=-55))
    await bot.send_message(-55, "hello group")
    server.migrate(-55, -1005555)
    with pytest.raises(ChatMigrated) as error:
        await bot.send_message(-55, "hello again")
    assert error.value.new_chat_id == -1005555
    await bot.send_message(-1005555, "hello supergroup")


async def test_edit_and_callback_flow(bot: Bot, server: FakeTelegramServer) -> None:
    sent = await bot.send_message(USER, "Choose", reply_markup=_keyboard("a"))
    server.add_update(server.make_callback_update(USER, "a"))
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query.message.message_id == sent.message_id and query.data == "a"
    assert await bot.answer_callback_query(query.id, text="Done")
    assert server.answered_callbacks == [query.id]
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    edited = await bot.edit_message_text(
        "Chosen: <i>a</i>", USER, sent.message_id, parse_mode="HTML"
    )
    assert edited.text == "Chosen: a" and edited.reply_markup is None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Chosen: <i>a</i>", USER, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=_keyboard("b"))
    assert server.get_message(USER, sent.message_id)["reply_markup"]["inline_keyboard"]
    assert [r["method"] for r in server.messages_to(USER, include_edits=True)] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)


async def test_send_document_multipart(bot: Bot, server: FakeTelegramServer) -> None:
    message = await bot.send_document(
        USER, b"a,b\n1,2\n", filename="report.csv", caption="<b>Report</b>", parse_mode="HTML"
    )
    assert message.document.file_name == "report.csv"
    assert message.caption == "Report"
    record = server.sent[-1]
    assert record["method"] == "sendDocument"
    assert record["content"] == b"a,b\n1,2\n"
    assert record["filename"] == "report.csv"
    assert record["text"] == "<b>Report</b>"


async def test_private_chat_rate_limit(bot: Bot, server: FakeTelegramServer) -> None:
    await bot.send_message(USER, "one")
    await bot.send_message(USER, "two")
    assert [(v.kind, v.chat_id) for v in server.rate_violations] == [("private", USER)]


async def test_global_and_group_rate_limits() -> None:
    async with FakeTelegramServer(
        token=TOKEN, global_limit=3, per_chat_interval=0.0, group_limit=2
    ) as server:
        for chat_id in (1, 2, 3, 4):
            server.add_chat(chat_id)
        server.add_chat(-10, "group")
        async with Bot(TOKEN, base_url=server.base_url) as bot:
            for chat_id in (1, 2, 3, 4):
                await bot.send_message(chat_id, "hi")
            assert [v.kind for v in server.rate_violations] == ["global"]
            await asyncio.sleep(1.05)
            for _ in range(3):
                await bot.send_message(-10, "hi")
            assert [v.kind for v in server.rate_violations] == ["global", "group"]
            server.enforce_limits = True
            with pytest.raises(RetryAfter):
                await bot.send_message(-10, "refused")
            assert len(server.messages_to(-10)) == 3


async def test_update_builders_parse(bot: Bot, server: FakeTelegramServer) -> None:
    server.add_update(server.make_text_update(USER, "/help@copro_test_bot", username="alice"))
    server.add_update(server.make_text_update(USER, "group hi", chat_type="group"))
    builders = [
        server.make_edited_message_update(USER, "edited"),
        server.make_sticker_update(USER),
        server.make_photo_update(USER, caption="look"),
        server.make_voice_update(USER, duration=5),
        server.make_document_update(USER),
        server.make_callback_update(USER, "cb"),
        server.make_my_chat_member_update(USER, "kicked"),
    ]
    for update in builders:
        server.add_update(update)
    updates = await bot.get_updates(
        allowed_updates=["message", "edited_message", "callback_query", "my_chat_member"]
    )
    assert len(updates) == len(builders) + 2
    assert isinstance(updates[0], Update)
    assert updates[0].message.entities[0].length == len("/help@copro_test_bot")
    assert updates[1].message.chat.type == "group" and updates[1].message.chat.id < 0
    assert updates[2].edited_message.message_id == updates[0].message.message_id
    assert updates[3].message.sticker.emoji == "👍"
    assert updates[4].message.photo[-1].width == 800 and updates[4].message.caption == "look"
    assert updates[5].message.voice.duration in (5, dtm.timedelta(seconds=5))
    assert updates[6].message.document.file_name == "file.pdf"
    assert updates[7].callback_query.data == "cb"
    assert updates[8].my_chat_member.new_chat_member.status == "kicked"


async def test_set_my_commands(bot: Bot, server: FakeTelegramServer) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert [c["command"] for c in server.commands] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Command", "x")])


async def test_stop_releases_pending_long_poll(server: FakeTelegramServer) -> None:
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await server.stop()
        assert await asyncio.wait_for(poll, 3) == ()
        assert time.monotonic() - started < 3


async def test_polling_application_round_trip(server: FakeTelegramServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            "Hi <b>there</b>", parse_mode="HTML", reply_markup=_keyboard("go")
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("Gone")

    app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        server.add_update(server.make_text_update(USER, "/start"))
        (reply,) = await server.wait_for_sent(1, chat_id=USER)
        assert reply["plain_text"] == "Hi there"
        server.add_update(server.make_callback_update(USER, "go"))
        records = await server.wait_for_sent(2, chat_id=USER)
        assert records[-1]["method"] == "editMessageText"
        assert server.answered_callbacks == ["cb1"]
        await server.wait_until_confirmed()
        await app.updater.stop()
        await app.stop()
