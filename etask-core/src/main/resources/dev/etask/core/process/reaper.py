"""etask's reaper: runs one untrusted command and ends everything it left running.

  python -I -S reaper.py COMMAND ARGS...

This process becomes a child subreaper (Linux's PR_SET_CHILD_SUBREAPER): whatever the command
starts stays below it, also a process that left its session and process group (setsid) or was
double-forked, with an emptied environment or not. When the command ends, every process still
running below this one is killed, each named on standard error in one line

  [etask] left running by the command, stopped: PID (COMMAND LINE)

and this process exits with the command's status. SIGTERM, SIGINT and SIGHUP kill the command and
everything below it at once. Where there is no PR_SET_CHILD_SUBREAPER, it says so and runs the
command as a plain child.
"""
import os
import signal
import sys
import time

SURVIVOR = "[etask] left running by the command, stopped: "


def parents():
    """pid -> parent pid of every process /proc shows, and pid -> state."""
    out, states = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            states[int(name)] = fields[0]
            out[int(name)] = int(fields[1])
    return out, states


def below(me, spare=()):
    """The running processes below `me`, but none below (or of) the pids in `spare`."""
    tree, states = parents()
    found, todo = [], [me]
    while todo:
        parent = todo.pop()
        for pid, ppid in tree.items():
            if ppid == parent and pid != me and pid not in spare:
                found.append(pid)
                todo.append(pid)
    return [p for p in found if states.get(p) != "Z"]


def command_line(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip() or "?"
    except OSError:
        return "?"


def reap(spare=()):
    """Reaps the children of this process that ended, but the `spare` ones (their status is
    someone else's to read)."""
    tree, states = parents()
    for pid, ppid in tree.items():
        if ppid == os.getpid() and pid not in spare and states.get(pid) == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def stop_everything(me, report, spare=(), out=2):
    """Kills every process below this one (but the `spare` ones and theirs) until none is left;
    names each on the file descriptor `out` first when `report`."""
    named = set()
    for _ in range(200):
        alive = below(me, spare)
        if not alive:
            reap(spare)
            return
        for pid in alive:
            if report and pid not in named:
                named.add(pid)
                try:
                    os.write(out, ("%s%d (%s)\n" % (SURVIVOR, pid, command_line(pid))).encode())
                except OSError:
                    pass
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        reap(spare)
        time.sleep(0.01)


def main(argv):
    if not argv:
        sys.stderr.write("usage: reaper.py COMMAND ARGS...\n")
        return 2
    me = os.getpid()
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
            raise OSError(ctypes.get_errno(), "prctl")
    except Exception as e:  # no subreaper here: the command still runs
        sys.stderr.write("[etask] cannot act as a subreaper here (%s)\n" % (e,))
    sys.stdout.flush()
    child = os.fork()
    if child == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            sys.stderr.write("cannot start %s: %s\n" % (argv[0], e.strerror))
            os._exit(127)

    def stop(signum, frame):
        stop_everything(me, False)
        os._exit(128 + signum)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    code = 1
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            code = code if code >= 0 else 128 - code
            break
    stop_everything(me, True)
    sys.stderr.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
