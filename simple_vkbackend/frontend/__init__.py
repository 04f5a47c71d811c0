"""Front end for Simple kernel source: lexer, parser, type checker -> kernel IR."""
