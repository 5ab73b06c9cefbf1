"""The read path: retrieval, answering, and the chat."""
