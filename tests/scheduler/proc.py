"""A scheduler process for the crash and leader tests.

It is `python -m bot.scheduler` (the real entry point) with one addition: a
sender for the `test` platform that appends each message, with this process
id, to the file named by COPRO_SENT_FILE, so tests can count sends across
processes and restarts.
"""

from __future__ import annotations

import json
import os
import sys

from bot.core.delivery import SendResult
from bot.core.events import OutgoingMessage
from bot.scheduler.__main__ import main


class FileSender:
    platform = "test"

    def __init__(self, path: str) -> None:
        self.path = path

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        line = json.dumps({"pid": os.getpid(), "chat": chat_id, "text": message.text})
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return SendResult("sent", message_id="m")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], senders={"test": FileSender(os.environ["COPRO_SENT_FILE"])}))
