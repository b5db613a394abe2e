# SPDX-License-Identifier: GPL-2.0-or-later
"""Run tshark with the freshly built smtpx plugin, the way a user would.

tshark ignores personal plugins when run as root, so as root every tshark
runs as uid/gid 65534 with a private, world-readable HOME holding
~/.local/lib/wireshark/plugins/4.0/epan/smtpx.so. WIRESHARK_PLUGIN_DIR points
at an empty folder, so a system-wide smtpx.so (cmake --install) cannot
shadow the build under test.

Environment:
  SMTPX_PLUGIN           built smtpx.so (default: <repo>/build/smtpx.so)
  SMTPX_HARNESS_SELFTEST=1  skip the "plugin is loaded" check (harness self-tests)
"""

import atexit
import functools
import hashlib
import json as _json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "tests" / "transcripts"
TRANSCRIPT2PCAP = REPO / "tools" / "transcript2pcap.py"
WS_VERSION = "4.0"
NOBODY = 65534
# (two_pass, verbose) combinations; see the `passes` fixture in conftest.py.
PASSES = [dict(two_pass=t, verbose=v) for t in (False, True) for v in (False, True)]
PASS_IDS = [("2pass" if p["two_pass"] else "1pass") + ("-V" if p["verbose"] else "") for p in PASSES]

_BAD_STDERR = re.compile(r"Dissector bug|\*\* \(tshark:\d+\).*\b(CRITICAL|WARNING|ERROR)\b")
_state = {}


class HarnessError(Exception):
    pass


def _as_root():
    return os.geteuid() == 0


def _nobody_can_read(path):
    """True if 'other' may read path and traverse every directory above it."""
    path = Path(path).resolve()
    if not path.stat().st_mode & stat.S_IROTH:
        return False
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.parents)


def setup():
    """Create the private HOME with the plugin installed (once); return its path."""
    if "home" in _state:
        return _state["home"]
    plugin = Path(os.environ.get("SMTPX_PLUGIN") or REPO / "build" / "smtpx.so")
    if not plugin.is_absolute() or not plugin.is_file():
        raise HarnessError(f"smtpx plugin not found at {plugin!s}: build it with CMake "
                           "or set SMTPX_PLUGIN to the absolute path of smtpx.so")
    tmp = Path(tempfile.mkdtemp(prefix="smtpx-tests-"))
    atexit.register(shutil.rmtree, tmp, True)
    home, plugdir = tmp / "home", tmp / "home/.local/lib/wireshark/plugins" / WS_VERSION / "epan"
    plugdir.mkdir(parents=True)
    (tmp / "captures").mkdir()
    (tmp / "no-global-plugins").mkdir()  # a system-wide smtpx.so must not shadow this build
    shutil.copyfile(plugin, plugdir / "smtpx.so")
    for p in [tmp, *tmp.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    if _as_root() and not _nobody_can_read(plugdir / "smtpx.so"):
        raise HarnessError(f"{tmp} is not reachable by uid {NOBODY}; set TMPDIR=/tmp")
    _state.update(home=home, tmp=tmp, plugin=plugin, captures={}, transcripts={})
    if os.environ.get("SMTPX_HARNESS_SELFTEST") != "1":
        check_plugin_loaded()
    return home


def check_plugin_loaded():
    """Fail unless `tshark -G plugins` lists our copy of smtpx.so (and only that one)."""
    expected = str(setup() / ".local/lib/wireshark/plugins" / WS_VERSION / "epan/smtpx.so")
    res = tshark(["-G", "plugins"])
    paths = [line.split("\t")[-1].strip() for line in res.stdout.splitlines()
             if line.split("\t")[0].strip() == "smtpx.so"]
    if paths != [expected]:
        raise HarnessError(f"tshark did not load {expected} (copied from {_state['plugin']}); "
                           f"smtpx.so entries: {paths or 'none'}\nstderr:\n{res.stderr}")


def command(args):
    """The full command line used to run tshark with ARGS."""
    env = ["env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", f"HOME={setup()}",
           f"WIRESHARK_PLUGIN_DIR={_state['tmp'] / 'no-global-plugins'}", "TZ=UTC", "LC_ALL=C.UTF-8"]
    priv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if _as_root() else []
    return priv + env + ["tshark", *map(str, args)]


def tshark(args, check=True, raw=False):
    """Run tshark ARGS; returns CompletedProcess with text stdout/stderr (stdout as bytes if RAW)."""
    res = subprocess.run(command(args), capture_output=True, timeout=300)
    if not raw:
        res.stdout = res.stdout.decode("utf-8", "replace")
    res.stderr = res.stderr.decode("utf-8", "replace")
    where = f"tshark {' '.join(map(str, args))}"
    bad = [line for line in res.stderr.splitlines() if _BAD_STDERR.search(line)]
    if bad:
        raise AssertionError(f"{where}: problems reported on stderr:\n" + "\n".join(bad))
    if check and res.returncode:
        raise AssertionError(f"{where}: exit status {res.returncode}\nstderr:\n{res.stderr}")
    return res


def capture_path(capture):
    """Path of CAPTURE that uid 65534 can read (a copy in the session temp dir if needed)."""
    setup()
    capture = Path(capture).resolve()
    if not _as_root() or _nobody_can_read(capture):
        return capture
    st = capture.stat()
    key = (capture, st.st_mtime_ns, st.st_size)
    if key not in _state["captures"]:
        digest = hashlib.sha1(repr(key).encode()).hexdigest()[:12]
        copy = _state["tmp"] / "captures" / f"{digest}-{capture.name}"
        shutil.copyfile(capture, copy)
        copy.chmod(0o644)
        _state["captures"][key] = copy
    return _state["captures"][key]


def _read_args(capture, display_filter=None, two_pass=False, verbose=False):
    args = ["-r", capture_path(capture)]
    if display_filter:
        args += ["-Y", display_filter]
    return args + ["-2"] * two_pass + ["-V"] * verbose


def fields(capture, fields, display_filter=None, two_pass=False, verbose=False, extra=()):
    """One row per displayed packet, one string per field (occurrences joined by ',')."""
    args = _read_args(capture, display_filter, two_pass, verbose)
    args += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    out = tshark(args + list(extra)).stdout
    return [line.split("\t") for line in out.split("\n")[:-1]]


def log_rows(capture, log, two_pass=False, extra=()):
    """The rows of -z smtpx,<log>,tsv (transactions, sessions), each a dict keyed by column name."""
    args = ["-r", capture_path(capture), "-q", "-z", f"smtpx,{log},tsv", *extra] + ["-2"] * two_pass
    lines = [line.split("\t") for line in tshark(args).stdout.splitlines() if "\t" in line]
    return [dict(zip(lines[0], r)) for r in lines[1:]]


def transactions(capture, two_pass=False, extra=()):
    return log_rows(capture, "transactions", two_pass, extra)


def json(capture, display_filter=None, two_pass=False, verbose=False, extra=()):
    """tshark -T json output (repeated fields become lists)."""
    args = _read_args(capture, display_filter, two_pass, verbose)
    out = tshark(args + ["-T", "json", "--no-duplicate-keys", *extra]).stdout
    return _json.loads(out) if out.strip() else []


def _expert_abbrevs(node):
    if isinstance(node, list):
        for item in node:
            yield from _expert_abbrevs(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "_ws.expert":
                for item in value if isinstance(value, list) else [value]:
                    yield from (k for k in item if not k.startswith("_ws.expert"))
            yield from _expert_abbrevs(value)


def experts(capture, two_pass=False, verbose=False, prefix="smtpx.", extra=()):
    """(frame number, expert abbrev) for every expert item whose abbrev starts with PREFIX."""
    out = []
    for pkt in json(capture, two_pass=two_pass, verbose=verbose, extra=extra):
        layers = pkt["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        out += [(frame, a) for a in _expert_abbrevs(layers) if a.startswith(prefix)]
    return out


def frames_matching(capture, display_filter, two_pass=False, verbose=False):
    """Frame numbers of the packets matching DISPLAY_FILTER."""
    return [int(row[0]) for row in fields(capture, ["frame.number"], display_filter, two_pass, verbose)]


# Occurrence separator for rows(): data lines may contain ',', so not that.
AGG = "\x1f"


def rows(capture, fields_, display_filter="smtpx", two_pass=False, verbose=False, extra=()):
    """[frame, [occurrences of field 1], [occurrences of field 2], ...] per
    displayed packet, occurrences split exactly (cached: captures do not change)."""
    return _rows(str(capture), tuple(fields_), display_filter, two_pass, verbose, tuple(extra))


@functools.lru_cache(maxsize=None)
def _rows(capture, fields_, display_filter, two_pass, verbose, extra):
    out = fields(capture, ["frame.number", *fields_], display_filter, two_pass=two_pass, verbose=verbose,
                 extra=["-E", f"aggregator={AGG}", *extra])
    return [[int(r[0])] + [v.split(AGG) if v else [] for v in r[1:]] for r in out]


def info_without_tree(capture, two_pass, extra=()):
    """Info column of every packet as plain `tshark -r` prints it (no -V, no
    display filter, no fields: the dissector runs without a protocol tree)."""
    args = ["-r", capture_path(capture), *["-2"] * two_pass, *extra, "-T", "tabs",
            "-o", 'gui.column.format:"No.","%m","Info","%i"']
    out = tshark(args).stdout
    return {int(no): text for no, text in (line.lstrip().split("\t", 1) for line in out.splitlines())}


def info_mismatches(capture, two_pass, verbose=False, extra=()):
    """{(capture name, frame): (Info without tree, Info with tree)} where they differ."""
    with_tree = {r[0]: r[1][0] for r in rows(capture, ["_ws.col.Info"], "smtpx", two_pass, verbose, extra)}
    without = info_without_tree(capture, two_pass, extra)
    return {(Path(capture).name, f): (without[f], text) for f, text in with_tree.items() if without[f] != text}


def run_capture_script(script, args, capture, timeout, env=None):
    """Runs a tools/capture-*.sh script that writes CAPTURE; asserts it
    succeeded and that the capture is world-readable (tshark reads it as 65534)."""
    res = subprocess.run(["bash", str(script), *args, str(capture)], capture_output=True, text=True,
                         timeout=timeout, env=env)
    assert res.returncode == 0, f"{Path(script).name} failed:\n{res.stdout}\n{res.stderr}"
    assert Path(capture).stat().st_mode & 0o004, "the capture is not world-readable"


def export_objects(capture, protocol, two_pass=False):
    """[(file name, bytes)] that tshark --export-objects PROTOCOL,DIR writes, in the order written."""
    out = Path(tempfile.mkdtemp(prefix="smtpx-eo-"))
    out.chmod(0o777)
    try:
        tshark(["-r", capture_path(capture), *["-2"] * two_pass, "-q", "--export-objects", f"{protocol},{out}"])
        files = sorted(out.iterdir(), key=lambda p: (os.path.getmtime(p), p.name))
        return [(p.name, p.read_bytes()) for p in files]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _build_transcript(src, out):
    res = subprocess.run([sys.executable, str(TRANSCRIPT2PCAP), str(src), str(out)], capture_output=True, text=True)
    if res.returncode:
        raise AssertionError(f"transcript2pcap {src} failed:\n{res.stderr}")
    out.chmod(0o644)
    return out


def transcript_pcap(name):
    """Build tests/transcripts/NAME.txt into a pcap (once per session); return its path."""
    setup()
    if name not in _state["transcripts"]:
        out = _state["tmp"] / "captures" / f"transcript-{name}.pcap"
        _state["transcripts"][name] = _build_transcript(TRANSCRIPTS / f"{name}.txt", out)
    return _state["transcripts"][name]


def text_pcap(directory, text, name="t"):
    """Build the transcript TEXT into DIRECTORY/NAME.pcap (through NAME.txt); return its path."""
    src = Path(directory) / f"{name}.txt"
    src.write_text(text)
    return _build_transcript(src, Path(directory) / f"{name}.pcap")
