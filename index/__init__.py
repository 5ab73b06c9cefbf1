"""The write path: read articles, chunk them, embed into Chroma, build BM25, publish atomically."""
