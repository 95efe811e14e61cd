"""Options of the corpus readers and the input pipeline (`data.on_error`, `data.length_policy`)."""

# What a reader does with a bad line: stop with its file and line, or skip and count it.
ON_ERROR = ("raise", "skip")
# What the pipeline does with a pair longer than a side's `max_length`: cut it, or leave it out.
LENGTH_POLICIES = ("truncate", "filter")
