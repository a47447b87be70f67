"""bestpersons-cli: code Dutch qualitative research texts about best persons."""

__version__ = "0.1.0"
