"""A router with decorator registration.

Handlers are plain functions `(event, ctx) -> None`. Feature modules each own
a `Router`; `handlers/__init__.py` includes them in a fixed, visible order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.events import Event

if TYPE_CHECKING:
    from bot.core.context import Context

Handler = Callable[[Event, "Context"], None]
# An interceptor returns True when it fully handled the event.
Interceptor = Callable[[Event, "Context"], bool]


@dataclass
class CommandSpec:
    """A slash command: who may use it and the line `/help` shows."""

    name: str
    handler: Handler
    roles: frozenset[str] = frozenset()
    description: str | None = None  # an N_() marked string, translated at display


@dataclass
class Router:
    """Maps commands, button action prefixes and conversation flows to handlers."""

    name: str = "root"
    interceptors: list[Interceptor] = field(default_factory=list)
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    buttons: dict[str, tuple[Handler, frozenset[str]]] = field(default_factory=dict)
    flows: dict[str, Handler] = field(default_factory=dict)
    fallback_handler: Handler | None = None
    unsupported_handler: Handler | None = None
    platform_handlers: dict[str, Handler] = field(default_factory=dict)

    def intercept(self, fn: Interceptor) -> Interceptor:
        """Run `fn` before anything else, e.g. STOP/PAUSE/HELP from any state."""
        self.interceptors.append(fn)
        return fn

    def command(
        self, name: str, *, roles: Iterable[str] = (), description: str | None = None
    ) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self._claim(self.commands, name)
            self.commands[name] = CommandSpec(name, fn, frozenset(roles), description)
            return fn

        return register

    def button(self, prefix: str, *, roles: Iterable[str] = ()) -> Callable[[Handler], Handler]:
        """Handle button actions starting with `prefix` (longest prefix wins)."""

        def register(fn: Handler) -> Handler:
            self._claim(self.buttons, prefix)
            self.buttons[prefix] = (fn, frozenset(roles))
            return fn

        return register

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        """Handle free text while a member's conversation state is in flow `name`."""

        def register(fn: Handler) -> Handler:
            self._claim(self.flows, name)
            self.flows[name] = fn
            return fn

        return register

    def platform_event(self, kind: str) -> Callable[[Handler], Handler]:
        """Handle non-conversational events such as `blocked` and `unblocked`."""

        def register(fn: Handler) -> Handler:
            self.platform_handlers[kind] = fn
            return fn

        return register

    def fallback(self, fn: Handler) -> Handler:
        self.fallback_handler = fn
        return fn

    def unsupported(self, fn: Handler) -> Handler:
        self.unsupported_handler = fn
        return fn

    def include(self, other: Router) -> None:
        """Merge a feature router; a name registered twice is a programming error."""
        self.interceptors.extend(other.interceptors)
        for name, spec in other.commands.items():
            self._claim(self.commands, name)
            self.commands[name] = spec
        for prefix, entry in other.buttons.items():
            self._claim(self.buttons, prefix)
            self.buttons[prefix] = entry
        for flow, fn in other.flows.items():
            self._claim(self.flows, flow)
            self.flows[flow] = fn
        self.platform_handlers.update(other.platform_handlers)
        self.fallback_handler = other.fallback_handler or self.fallback_handler
        self.unsupported_handler = other.unsupported_handler or self.unsupported_handler

    def find_button(self, action: str) -> tuple[Handler, frozenset[str]] | None:
        best = None
        for prefix in self.buttons:
            if action.startswith(prefix) and (best is None or len(prefix) > len(best)):
                best = prefix
        return self.buttons[best] if best is not None else None

    @staticmethod
    def _claim(table: dict, key: str) -> None:  # type: ignore[type-arg]
        if key in table:
            raise ValueError(f"{key!r} is registered twice")
