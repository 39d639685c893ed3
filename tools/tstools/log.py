"""What the tooling tells the person at the terminal."""

import sys


class SetupError(SystemExit):
	"""A step that cannot go on; the message says what to do."""


def step(message: str) -> None:
	print(f"==> {message}", flush=True)


def fail(message: str) -> None:
	print(f"\nERROR: {message}", file=sys.stderr, flush=True)
	raise SetupError(1)
