"""etask's Python worker: one process per task that has imported pytest and coverage once and runs
etask's helper scripts in forked children, so a batch does not pay for a Python start, the imports
and coverage's parsing of every measured source file again.

  python_worker.py serve SOCKET
      Listens on SOCKET (a Unix socket; created under a temporary name and renamed once it
      listens, so a client never finds a socket that does not answer). Each request is run in a
      child forked from this process, in its own process group, with the client's standard streams,
      working folder and environment; the child's exit status goes back to the client. A client
      that goes away (killed on a time limit) takes its child's whole process group with it.
      Before a child that reads coverage data and after one that wrote some, this process parses
      the source files the data names into a cache the children inherit (nothing is written).
      Stops when its parent goes away, on SIGTERM, or on SIGINT.

  python -S -I python_worker.py call SOCKET PID SCRIPT ARGS...
      Runs `python SCRIPT ARGS...` in the worker listening on SOCKET when that worker is process
      PID (checked with the socket's peer credentials: a process that took over the socket is
      never trusted); otherwise replaces itself with `python SCRIPT ARGS...` (the same result,
      only slower). A worker that stops after it took the call is a failed call.
"""
import os
import socket
import struct
import sys

STATUS = struct.Struct("!i")
LENGTH = struct.Struct("!I")


def call(path, pid, script, args):
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
        os.execv(sys.executable, [sys.executable, script] + args)
    # the worker has the call now: running it again here could race its child, so a worker that
    # stops on the way is a call that failed
    reply = b""
    while len(reply) < STATUS.size:
        chunk = sock.recv(STATUS.size - len(reply))
        if not chunk:
            sys.stderr.write("etask's Python worker stopped during the call\n")
            sys.exit(1)
        reply += chunk
    sys.exit(STATUS.unpack(reply)[0])


# ---- the worker's side ----------------------------------------------------------------------


def remember_reporters():
    """Keeps coverage's file reporters (each holds a parsed source file) for the children: the
    same file at the same size, time and inode, under the same settings, is parsed once."""
    try:
        from coverage.control import Coverage
        from coverage.python import PythonFileReporter
    except ImportError:
        return
    original = getattr(Coverage, "_get_file_reporter", None)
    if original is None:
        return
    kept = {}

    def file_reporter(self, morf):
        if not isinstance(morf, str):
            return original(self, morf)
        try:
            st = os.stat(morf)
            key = (
                morf,
                st.st_ino,
                st.st_mtime_ns,
                st.st_size,
                os.getcwd(),
                self.config.relative_files,
                self._exclude_regex("exclude"),
                tuple(self.config.partial_list),
                tuple(getattr(self.config, "partial_always_list", ())),
            )
        except (OSError, AttributeError):
            return original(self, morf)
        reporter = kept.get(key)
        if reporter is None:
            reporter = original(self, morf)
            if type(reporter) is not PythonFileReporter:
                return reporter
            kept[key] = reporter
        return reporter

    Coverage._get_file_reporter = file_reporter


def warm(request, after):
    """The source files a coverage data file names, parsed into the cache: before a child, those
    of the data it reads (it would parse them itself, and the next child could not reuse that);
    after it, those of the data it wrote."""
    argv = request["argv"]
    if os.path.basename(argv[0]) != "etask-coverage_data.py" or len(argv) < 3:
        return
    reads = {"measure": 3, "combine": 3, "report": 2}
    writes = {"measure": 2, "combine": 2}
    index = (writes if after else reads).get(argv[1])
    if index is None or index >= len(argv) or not os.path.exists(argv[index]):
        return
    try:
        import runpy

        os.chdir(request["cwd"])
        helpers = runpy.run_path(argv[0], run_name="etask_warm")
        helpers["report_json"](argv[index], os.devnull)
    except Exception as e:  # a cache that could not be filled only makes the next child slower
        sys.stderr.write("warming the coverage cache failed: %r\n" % (e,))


def run_child(request, fds, listener, conns):
    """In the forked child: never returns (a child that went back to the worker's loop would be a
    second worker)."""
    code = 1
    try:
        code = run_script(request, fds, [listener] + conns)
    finally:
        os._exit(code & 0xFF)


def run_script(request, fds, sockets):
    import runpy
    import signal

    for s in sockets:
        s.close()
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
    import json

    message, fds, _, _ = socket.recv_fds(conn, LENGTH.size, 3)
    if len(message) < LENGTH.size or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise OSError("incomplete request")
    length = LENGTH.unpack(message)[0]
    body = b""
    while len(body) < length:
        chunk = conn.recv(min(65536, length - len(body)))
        if not chunk:
            for fd in fds:
                os.close(fd)
            raise OSError("incomplete request")
        body += chunk
    return json.loads(body), fds


def serve(path):
    import selectors
    import signal

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    parent = os.getppid()
    for module in ("coverage", "pytest"):  # imported once here, inherited by every child
        try:
            __import__(module)
        except ImportError:
            pass

    remember_reporters()
    here = os.path.realpath(os.getcwd()) + os.sep
    mine = [m for m in list(sys.modules.values()) if os.path.realpath(getattr(m, "__file__", None) or "/").startswith(here)]
    if mine:  # the project is pytest's or coverage's own dependency: its import must be measured
        sys.stderr.write("not serving: %s is imported by pytest or coverage themselves\n" % (mine[0].__name__,))
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
    children = {}  # pid -> (conn, request)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    try:
        while os.getppid() == parent:
            for key, _ in selector.select(timeout=0.05 if children else 0.5):
                if key.fileobj is listener:
                    conn, _ = listener.accept()
                    try:
                        conn.settimeout(10)
                        request, fds = receive(conn)
                        conn.settimeout(None)
                    except (OSError, ValueError):
                        conn.close()
                        continue
                    warm(request, after=False)
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        run_child(request, fds, listener, [c for c, _ in children.values()] + [conn])
                    for fd in fds:  # the client's streams stay open only in the client and the child
                        os.close(fd)
                    children[pid] = (conn, request)
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
                conn, request = children.pop(pid)
                selector.unregister(conn)
                try:
                    os.killpg(pid, 9)  # what the child left running
                except OSError:
                    pass
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(STATUS.pack(code if code >= 0 else 128 - code))
                except OSError:
                    pass
                conn.close()
                warm(request, after=True)
    finally:
        for pid in children:
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
        try:
            os.remove(address)
        except OSError:
            pass


def main():
    command = sys.argv[1]
    if command == "serve":
        serve(sys.argv[2])
    elif command == "call":
        call(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:])
    else:
        raise SystemExit("unknown command " + command)


main()
