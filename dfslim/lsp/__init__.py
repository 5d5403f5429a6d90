"""`dfslim lsp`: a language server on standard input and output (the `lsp` extra).

`dfslim.lsp.document` holds what the server knows of a document and needs no protocol
library; `dfslim.lsp.server` speaks the protocol through pygls.
"""
