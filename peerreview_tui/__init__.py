"""peerreview-tui: an offline terminal app for a children's safeguarding peer review team."""

__version__ = "0.1.0"
