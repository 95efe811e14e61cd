"""Runs tensorflow-text's WordPiece learner on several vocabularies at once, one per process.

The learner (`wordpiece_tokenizer_learner_lib.learn`) is pure Python, so one process learns on
one core. To learn the source and target vocabularies side by side, every job but the last runs
in a child Python process that loads only the learner's own file (it imports NumPy and the
standard library), not TensorFlow: the child starts in a fraction of a second and its
memory is its job's. Word counts go to the child and the tokens come back pickled through its
standard input and output.
"""

import concurrent.futures
import pickle
import subprocess
import sys

from tensorflow_text.tools.wordpiece_vocab import wordpiece_tokenizer_learner_lib as wordpiece_learner

# The child's program: loads the learner from the file given as its argument, learns from the
# pickled `(word_counts, keyword arguments)` on its standard input, pickles the tokens out.
_CHILD_PROGRAM = """
import importlib.util, pickle, sys
spec = importlib.util.spec_from_file_location("wordpiece_tokenizer_learner_lib", sys.argv[1])
learner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(learner)
word_counts, arguments = pickle.load(sys.stdin.buffer)
pickle.dump(learner.learn(word_counts, **arguments), sys.stdout.buffer)
"""


def learn_in_parallel(jobs):
    """Learns one WordPiece vocabulary per job, all at the same time.

    Args:
        jobs: list of `(word_counts, arguments)`: a word -> count mapping and the keyword
            arguments of `wordpiece_tokenizer_learner_lib.learn` (`vocab_size`, ...).

    Returns:
        The learned token lists, in the order of `jobs`. The learner is deterministic, so they
        equal what `learn` gives in this process.

    Raises:
        RuntimeError: a child process failed; the message holds its exit status and the end
            of what it wrote to standard error.
    """
    # A thread per child only waits on its pipes; this thread learns the last vocabulary.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(len(jobs) - 1, 1)) as threads:
        children = [threads.submit(_learn_in_child, *job) for job in jobs[:-1]]
        last = [wordpiece_learner.learn(word_counts, **arguments) for word_counts, arguments in jobs[-1:]]
        return [child.result() for child in children] + last


def _learn_in_child(word_counts, arguments):
    child = subprocess.run(
        [sys.executable, "-c", _CHILD_PROGRAM, wordpiece_learner.__file__],
        input=pickle.dumps((dict(word_counts), arguments)),
        capture_output=True,
    )
    if child.returncode != 0:
        message = child.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise RuntimeError(f"the WordPiece learner's child process failed (exit status {child.returncode}): {message}")
    return pickle.loads(child.stdout)
