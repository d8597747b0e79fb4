"""etask's Python worker: one process per task that has imported pytest and coverage once and runs
etask's helper scripts in forked children, so a batch does not pay for a Python start, the imports
and coverage's parsing of every measured source file again.

  python_worker.py serve SOCKET [--bytecode FOLDER] SCRIPT...
      Listens on SOCKET (a Unix socket; created under a temporary name and renamed once it
      listens, so a client never finds a socket that does not answer), for its own user only, and
      runs only the SCRIPTs (etask's helpers; any other is refused with 126). Each request runs
      in a child forked from this process, in its own process group, with the client's standard
      streams, working folder and environment; the child's exit status goes back to the client. A
      client that goes away (killed on a time limit) takes its child's whole process group with
      it. Before a child that reads coverage data and after one that wrote some, this process
      parses the source files the data names into a cache the children inherit (keyed by the
      files' bytes; nothing is written, no code of the repository's is loaded here). Does not
      serve a project whose modules it would have imported itself (pytest's own dependencies).
      Stops when its parent goes away, on SIGTERM, or on SIGINT. With --bytecode, this process
      compiles what it imports itself (pytest, coverage) through a cache in FOLDER shared by every
      task (see keep_bytecode); its children compile from source.

      The worker is the subreaper of its children (PR_SET_CHILD_SUBREAPER): after each call, what
      the call's child left running, also outside its process group, is killed and named on the
      call's standard error. A worker in a sandbox of its own serves only the calls of one
      measurement. It refuses a call from a process that runs below it (a test, or what a test left
      running): only etask calls it.

  python -S -I python_worker.py call SOCKET PID [--fallback N WORD...] SCRIPT ARGS...
      Runs `python SCRIPT ARGS...` in the worker listening on SOCKET when that worker is process
      PID (checked with the socket's peer credentials: a process that took over the socket is
      never trusted; PID is the worker's pid as this process sees it); otherwise replaces itself
      with `WORD... python SCRIPT ARGS...` (the N words put the command in its sandbox and under
      the reaper; the same result, only slower). A worker that stops after it took the call is a
      failed call.

  python python_worker.py warm --bytecode FOLDER
      Imports what a worker imports (coverage, pytest) through the bytecode cache in FOLDER, and
      exits: the trusted pre-pass that fills a cache the sandboxed workers then only read.
"""
import os
import socket
import struct
import sys
import time

STATUS = struct.Struct("!i")
LENGTH = struct.Struct("!I")
BYTECODE_HOOK = None  # the worker's bytecode cache (keep_bytecode), never a child's


def call(path, pid, script, args, fallback=()):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        address = path if len(path) < 100 else os.path.relpath(path)
        sock.connect(address)
        peer, uid, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if peer != pid or uid != os.getuid():
            raise OSError("the socket is not the worker's")
        import json

        request = json.dumps({"argv": [script] + args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
        socket.send_fds(sock, [LENGTH.pack(len(request))], [0, 1, 2])
        sock.sendall(request)
    except Exception:  # no worker, not ours, or no SO_PEERCRED / send_fds here: run it ourselves
        sock.close()
        argv = list(fallback) + [sys.executable, script] + args
        os.execv(argv[0], argv)
    # the worker has the call now: running it again here could race its child, so a worker that
    # stops on the way is a call that failed
    reply = b""
    while len(reply) < STATUS.size:
        chunk = sock.recv(STATUS.size - len(reply))
        if not chunk:
            sys.stderr.write("etask's Python worker stopped during the call\n")
            sys.exit(70)
        reply += chunk
    sys.exit(STATUS.unpack(reply)[0])


# ---- the worker's side ----------------------------------------------------------------------

REFUSED = 126  # the worker does not run that script: only etask's helpers named when it started


def keep_bytecode(folder):
    """Compiles what this process imports from the venv's installed packages (pytest, coverage
    and what they import) and the standard library (whose own bytecode the gates'
    PYTHONPYCACHEPREFIX hides) through a cache in FOLDER that every task on the machine shares;
    never the clone's files. An entry is keyed by the SHA-256 of the source file's bytes and this
    interpreter (version, bytecode magic number, flags, -X options), so it never stands for other
    bytes; it carries a checksum of its own (against damage, not forgery: the folder is the user's,
    like uv's cache), is written under a temporary name and renamed, and a damaged one is compiled
    again and replaced. A compile that warns is not kept (the warning would go quiet). Returns the
    import hook (children drop it: forget_bytecode). Importing pytest and coverage costs about a
    processor-second when everything is compiled from source, a fifth of that from here."""
    try:
        import _imp
        import _thread
        import hashlib
        import importlib.machinery as machinery
        import importlib.util
        import marshal
        import sysconfig
        import types
        import warnings
    except ImportError:
        return
    interpreter = (
        "%s|%s|%r|%r|" % (sys.version, importlib.util.MAGIC_NUMBER.hex(), sys.flags, sorted(sys._xoptions.items()))
    ).encode()
    paths = sysconfig.get_paths()
    roots = tuple({os.path.realpath(paths[k]) + os.sep for k in ("purelib", "platlib", "stdlib", "platstdlib") if k in paths})

    def read(entry):
        with open(entry, "rb") as f:
            data = f.read()
        if hashlib.sha256(data[32:]).digest() != data[:32]:
            raise ValueError("damaged")
        code = marshal.loads(data[32:])
        if type(code) is not types.CodeType:
            raise ValueError("not code")
        return code

    def write(entry, code):
        payload = marshal.dumps(code)
        os.makedirs(os.path.dirname(entry), exist_ok=True)
        pending = "%s.%d-%d.tmp" % (entry, os.getpid(), _thread.get_ident())
        try:
            with open(pending, "wb") as f:
                f.write(hashlib.sha256(payload).digest() + payload)
            os.replace(pending, entry)
        finally:
            if os.path.exists(pending):
                os.remove(pending)

    class CachedSourceLoader(machinery.SourceFileLoader):
        def get_code(self, fullname):
            path = self.get_filename(fullname)
            source = self.get_data(path)
            key = hashlib.sha256(interpreter + source).hexdigest()
            entry = os.path.join(folder, key[:2], key[2:])
            try:
                code = read(entry)
                _imp._fix_co_filename(code, path)
                return code
            except (OSError, ValueError, EOFError, TypeError):
                pass
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                code = self.source_to_code(source, path)
            for w in said:  # said again as compiling said it; an entry would keep it quiet
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            if not said:
                try:
                    write(entry, code)
                except OSError:
                    pass
            return code

    finder = machinery.FileFinder.path_hook(
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (CachedSourceLoader, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
    )

    def installed_packages(path):
        where = os.path.realpath(path or os.getcwd())
        if not os.path.isdir(where) or not (where + os.sep).startswith(roots):
            raise ImportError("not the venv's packages")
        return finder(path)

    sys.path_hooks.insert(0, installed_packages)
    sys.path_importer_cache.clear()
    return installed_packages


def forget_bytecode(hook):
    """In a child: what it imports is compiled from source, as the gates' settings say (the cache
    served the worker's own imports, made before any generator of the task ran)."""
    if hook in sys.path_hooks:
        sys.path_hooks.remove(hook)
        sys.path_importer_cache.clear()


def remember_reporters():
    """Keeps coverage's file reporters (each holds a parsed source file) for the children: a file
    with the same bytes (SHA-256) under the same settings is parsed once. A file that changes
    while it is parsed is not kept."""
    try:
        import hashlib

        from coverage.control import Coverage
        from coverage.python import PythonFileReporter
    except ImportError:
        return
    original = getattr(Coverage, "_get_file_reporter", None)
    if original is None:
        return
    kept = {}

    def digest(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def file_reporter(self, morf):
        if not isinstance(morf, str):
            return original(self, morf)
        try:
            settings = (
                os.getcwd(),
                self.config.relative_files,
                self._exclude_regex("exclude"),
                tuple(self.config.partial_list),
                tuple(getattr(self.config, "partial_always_list", ())),
            )
            before = digest(morf)
        except (OSError, AttributeError):
            return original(self, morf)
        key = (morf, before, settings)
        reporter = kept.get(key)
        if reporter is not None:
            return reporter
        reporter = original(self, morf)
        if type(reporter) is PythonFileReporter:
            try:
                reporter.lines()  # parses it now, so the bytes can be checked again
                if digest(morf) == before:
                    kept[key] = reporter
            except Exception:
                pass
        return reporter

    Coverage._get_file_reporter = file_reporter


class Worker:
    def __init__(self, scripts):
        self.root = os.path.realpath(os.getcwd())
        self.scripts = {os.path.realpath(p) for p in scripts}
        self.coverage_data = None
        for script in self.scripts:
            if os.path.basename(script) == "etask-coverage_data.py":
                import runpy

                # loaded once, from the file etask wrote; a request never names code to load
                self.coverage_data = runpy.run_path(script, run_name="etask_worker")

    def allowed(self, request):
        argv = request.get("argv")
        return (
            isinstance(argv, list)
            and argv
            and all(isinstance(a, str) for a in argv)
            and os.path.realpath(argv[0]) in self.scripts
            and isinstance(request.get("cwd"), str)
            and isinstance(request.get("env"), dict)
        )

    def warm(self, request, after):
        """The source files a coverage data file names, parsed into the cache: before a child, those
        of the data it reads (it would parse them itself, and the next child could not reuse that);
        after it, those of the data it wrote. Only in the clone the worker serves, and never with
        the repository's coverage plugins (this process loads no code of the repository's)."""
        argv = request["argv"]
        if self.coverage_data is None or os.path.basename(argv[0]) != "etask-coverage_data.py":
            return
        reads = {"measure": 3, "combine": 3, "report": 2}
        writes = {"measure": 2, "combine": 2}
        index = (writes if after else reads).get(argv[1] if len(argv) > 1 else None)
        if index is None or index >= len(argv) or os.path.realpath(request["cwd"]) != self.root:
            return
        if not os.path.isfile(argv[index]):
            return
        if argv[1] in ("measure", "combine") and self.coverage_data["stored"](argv[index]) is not None:
            return  # the child reuses what the report of that data found (see coverage_data.py)
        if not after and argv[1] in ("measure", "combine") and len(argv) > 4 and (
            os.path.realpath(argv[4]) != self.root
        ):
            return  # data recorded in another clone (a cached baseline): the child maps its paths
        try:
            os.chdir(self.root)
            self.coverage_data["report_json"](argv[index], os.devnull, plugins=False)
        except Exception as e:  # a cache that could not be filled only makes the next child slower
            sys.stderr.write("warming the coverage cache failed: %r\n" % (e,))


def run_child(request, fds, sockets):
    """In the forked child: never returns (a child that went back to the worker's loop would be a
    second worker)."""
    code = 1
    try:
        code = run_script(request, fds, sockets)
    finally:
        os._exit(code & 0xFF)


def run_script(request, fds, sockets):
    import runpy
    import signal

    for s in sockets:
        s.close()
    forget_bytecode(BYTECODE_HOOK)
    os.setpgid(0, 0)
    try:  # Linux: the child goes with the worker, even when the worker is killed hard
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    code = 0
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # read at start-up by Python: a child takes the one its call was given (fresh and empty)
        sys.pycache_prefix = os.environ.get("PYTHONPYCACHEPREFIX") or None
        sys.argv = list(request["argv"])
        sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:
            sys.stderr.write("%s\n" % (e.code,))
            code = 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    import atexit

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def receive(conn):
    """A request and the client's three streams; on any failure the streams are closed here."""
    import json

    message, fds, _, _ = socket.recv_fds(conn, LENGTH.size, 3)
    try:
        if len(message) < LENGTH.size or len(fds) != 3:
            raise OSError("incomplete request")
        length = LENGTH.unpack(message)[0]
        body = b""
        while len(body) < length:
            chunk = conn.recv(min(65536, length - len(body)))
            if not chunk:
                raise OSError("incomplete request")
            body += chunk
        request = json.loads(body)
        if not isinstance(request, dict):
            raise ValueError("not a request")
        return request, fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def shadowed(root):
    """A module this process imported that the project also has (in its root or src/): its tests
    would get this process's copy, not the project's, and its import would never be measured."""
    for name, module in list(sys.modules.items()):
        where = os.path.realpath(getattr(module, "__file__", None) or "/")
        if where.startswith(root + os.sep):
            return name
        if "." in name:
            continue
        for folder in (root, os.path.join(root, "src")):
            if os.path.isfile(os.path.join(folder, name + ".py")) or os.path.isfile(
                os.path.join(folder, name, "__init__.py")
            ):
                return name
    return None


def warm(bytecode):
    """What a worker imports, compiled through the bytecode cache (the pre-pass)."""
    if bytecode:
        keep_bytecode(bytecode)
    for module in ("coverage", "pytest"):
        __import__(module)


def below(pid, ancestor):
    """Whether process `pid` runs below `ancestor` (by parentage, as /proc shows it)."""
    for _ in range(4096):
        try:
            with open("/proc/%d/stat" % pid, "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            return False
        pid = int(stat[stat.rfind(")") + 2:].split()[1])
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return True


def become_subreaper():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except Exception:
        return False


REAPER = []  # etask's reaper (etask-reaper.py beside this script), loaded once


def stop_orphans(calls, err):
    """Kills every process below this one that no running call holds (what calls left running and
    was handed to this subreaper), naming each on `err` (a call's standard error) when given."""
    if not REAPER:
        import runpy

        try:
            here = os.path.dirname(os.path.abspath(__file__))
            REAPER.append(runpy.run_path(os.path.join(here, "etask-reaper.py"), run_name="etask_reaper"))
        except OSError:
            REAPER.append(None)
            sys.stderr.write("cannot load etask-reaper.py: what calls leave running stays\n")
    if REAPER[0] is not None:
        REAPER[0]["stop_everything"](os.getpid(), err is not None, set(calls), 2 if err is None else err)


def serve(path, scripts, bytecode=None):
    import selectors
    import signal

    if not hasattr(socket, "recv_fds") or not hasattr(socket, "SO_PEERCRED"):
        sys.stderr.write("not serving: this Python cannot pass streams over a socket\n")
        return
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    parent = os.getppid()
    if not become_subreaper():
        sys.stderr.write("cannot act as a subreaper: what a call leaves running outside its group stays\n")
    global BYTECODE_HOOK
    if bytecode:
        BYTECODE_HOOK = keep_bytecode(bytecode)
    for module in ("coverage", "pytest"):  # imported once here, inherited by every child
        try:
            __import__(module)
        except ImportError:
            pass
    remember_reporters()
    worker = Worker(scripts)
    mine = shadowed(worker.root)
    if mine:
        sys.stderr.write("not serving: %s is imported by pytest or coverage themselves\n" % (mine,))
        return
    address = path if len(path) < 100 else os.path.relpath(path)
    pending = address + ".new"
    for stale in (address, pending):
        if os.path.exists(stale):
            os.remove(stale)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(pending)
    os.chmod(pending, 0o600)
    listener.listen(16)
    os.rename(pending, address)
    children = {}  # pid -> (conn, request, started, the call's standard error)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    try:
        while os.getppid() == parent:
            for key, _ in selector.select(timeout=0.05 if children else 0.5):
                if key.fileobj is listener:
                    conn, _ = listener.accept()
                    try:
                        caller, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
                        if uid != os.getuid():
                            raise OSError("another user")
                        conn.settimeout(10)
                        request, fds = receive(conn)
                        conn.settimeout(None)
                    except (OSError, ValueError):
                        conn.close()
                        continue
                    # a test (or what it left running) calling the worker it runs in: a call of
                    # its own would keep it alive and unnamed; only etask calls the worker
                    from_below = caller and below(caller, os.getpid())
                    if from_below or not worker.allowed(request):
                        for fd in fds:
                            os.close(fd)
                        if from_below:
                            sys.stderr.write("refused a call from process %d, which runs below the worker\n" % caller)
                        else:
                            sys.stderr.write("refused a call of %r\n" % (request.get("argv", [None])[0],))
                        try:
                            conn.sendall(STATUS.pack(REFUSED))
                        except OSError:
                            pass
                        conn.close()
                        continue
                    worker.warm(request, after=False)
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        selector.close()
                        for _, _, _, other in children.values():  # other calls' streams stay theirs
                            os.close(other)
                        run_child(request, fds, [listener, conn] + [c for c, _, _, _ in children.values()])
                    err = os.dup(fds[2])  # where what the call left running is named
                    for fd in fds:  # the client's streams stay open only in the client and the child
                        os.close(fd)
                    children[pid] = (conn, request, time.monotonic(), err)
                    selector.register(conn, selectors.EVENT_READ, pid)
                else:  # a client went away (or sent more than it should): its child goes too
                    try:
                        os.killpg(key.data, 9)
                    except OSError:
                        pass
            for pid in list(children):
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done, status = pid, 1 << 8
                if done == 0:
                    continue
                conn, request, started, err = children.pop(pid)
                selector.unregister(conn)
                try:
                    os.killpg(pid, 9)  # what the child left running in its group
                except OSError:
                    pass
                if not children:  # what left its group: stopped when no call runs (it could be theirs)
                    stop_orphans(children, err)
                os.close(err)
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(STATUS.pack(code if code >= 0 else 128 - code))
                except OSError:
                    pass
                conn.close()
                argv = request["argv"]
                sys.stderr.write(
                    "served %s %s: exit %d in %.2fs\n"
                    % (os.path.basename(argv[0]), argv[1] if len(argv) > 1 else "", code, time.monotonic() - started)
                )
                sys.stderr.flush()
                worker.warm(request, after=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut this short
        try:
            os.remove(address)
        except OSError:
            pass
        for pid in children:
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
        stop_orphans({}, None)


def main():
    command = sys.argv[1]
    if command == "serve":
        args = sys.argv[3:]
        bytecode = None
        if args[:1] == ["--bytecode"]:
            bytecode, args = args[1], args[2:]
        serve(sys.argv[2], args, bytecode)
    elif command == "call":
        rest = sys.argv[4:]
        fallback = []
        if rest[:1] == ["--fallback"]:
            n = int(rest[1])
            fallback, rest = rest[2:2 + n], rest[2 + n:]
        call(sys.argv[2], int(sys.argv[3]), rest[0], rest[1:], fallback)
    elif command == "warm":
        warm(sys.argv[3] if sys.argv[2:3] == ["--bytecode"] else None)
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
