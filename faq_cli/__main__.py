"""Allow `python -m faq_cli`."""

from faq_cli.cli import main

main()
