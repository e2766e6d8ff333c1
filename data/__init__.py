"""The bundled FAQ (installed as the package `faq_cli.data`)."""
