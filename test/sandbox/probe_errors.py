"""What the probe scripts (keystone-client.py, oslo-db-connect.py) share: the chain of an error.
runPythonInImage (image-python.ts) puts this file beside the script it runs."""

# Where one error keeps the one it wraps: Python's cause and context, urllib3's and requests'
# reason, oslo.db's inner_exception, SQLAlchemy's orig, PyMySQL's original_exception.
WRAPPED = ('__cause__', '__context__', 'reason', 'inner_exception', 'orig', 'original_exception')


def causes(error):
    """The error and everything it wraps (errors among its args too), each once, outermost first."""
    seen, todo = [], [error]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo.extend(getattr(e, a, None) for a in WRAPPED)
        todo.extend(a for a in getattr(e, 'args', ()) if isinstance(a, BaseException))
    return seen
