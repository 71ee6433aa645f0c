"""Progress bars for chat messages."""


def bar(done: float, need: float, width: int = 10) -> tuple[str, int]:
    """A bar of `width` cells and the whole percentage, capped at 100."""
    ratio = 1.0 if need <= 0 else min(1.0, max(0.0, done / need))
    filled = round(ratio * width)
    return "▓" * filled + "░" * (width - filled), int(ratio * 100)
