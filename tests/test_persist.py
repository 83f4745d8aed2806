"""Model files (tinygrad_edu.persist): save and load, refusals, special paths, crashes.

Special files (devices, FIFOs, sockets, read-only files) are made only inside pytest's
tmp_path; no test reads or writes the system's own /dev entries.
"""

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys

import pytest

from tinygrad_edu import persist
from tinygrad_edu.nn import MLP, Layer, Module, Neuron

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POSIX = os.name == "posix"
IS_ROOT = POSIX and os.geteuid() == 0


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "model.json"
    a = MLP(2, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    assert a.save(path) == os.fspath(path)
    doc = json.loads(path.read_text())
    assert doc["module"] == "MLP"
    assert doc["config"] == {
        "nin": 2,
        "nouts": [4, 3, 1],
        "activation": "tanh",
        "output_activation": "sigmoid",
    }
    assert doc["parameters"] == a.state_dict()  # exact: floats round-trip in JSON

    b = MLP(2, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=9)
    assert b.load(path) is b
    assert b.state_dict() == a.state_dict()

    c = MLP.load(path)  # on the class: a new model
    assert repr(c) == repr(a) and c.state_dict() == a.state_dict()
    d = Module.load(path)  # any saved module
    assert isinstance(d, MLP) and d.state_dict() == a.state_dict()
    assert [p.label for p in c.parameters()] == [n for n, _ in a.named_parameters()]


def test_neuron_and_layer_save_load(tmp_path):
    n = Neuron(3, activation="relu", seed=1)
    n.save(tmp_path / "n.json")
    assert Neuron.load(tmp_path / "n.json").state_dict() == n.state_dict()
    layer = Layer(2, 3, seed=1)
    layer.save(tmp_path / "l.json")
    assert Layer.load(tmp_path / "l.json").state_dict() == layer.state_dict()
    with pytest.raises(ValueError, match="holds a Layer, not a Neuron"):
        Neuron.load(tmp_path / "l.json")


def _write_variant(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


BAD_FILES = [
    ("missing", None, FileNotFoundError, "no saved model at"),
    ("malformed", "{ not json", ValueError, r"not valid JSON \(line 1"),
    (
        "truncated",
        '{"format": "tinygrad_edu.nn", "version": 1, "parameters": {"a": 1.0',
        ValueError,
        "not valid JSON",
    ),
    ("list", "[1, 2, 3]", ValueError, "not a tinygrad_edu model file"),
    ("nan", None, ValueError, "NaN"),
    (
        "shape",
        lambda d: d["config"].update(nouts=[4, 1]),
        ValueError,
        r"nouts is \[4, 1\] in the file but \[3, 1\]",
    ),
    (
        "activation",
        lambda d: d["config"].update(activation="relu"),
        ValueError,
        "activation is 'relu'",
    ),
    (
        "missing_key",
        lambda d: d["parameters"].pop("layers.1.neurons.0.b"),
        ValueError,
        "missing key.*layers.1.neurons.0.b",
    ),
    (
        "extra_key",
        lambda d: d["parameters"].update({"layers.1.neurons.1.b": 0.0}),
        ValueError,
        "unexpected key.*layers.1.neurons.1.b",
    ),
    (
        "string",
        lambda d: d["parameters"].update({"layers.0.neurons.2.w.1": "x"}),
        TypeError,
        "layers.0.neurons.2.w.1",
    ),
    ("class", lambda d: d.update(module="Layer"), ValueError, "holds a Layer, but this is a MLP"),
    ("version", lambda d: d.update(version=99), ValueError, "version 99"),
    ("no_params", lambda d: d.pop("parameters"), ValueError, "'parameters' is missing"),
]


@pytest.mark.parametrize("kind,content,error,match", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_raises_and_leaves_model_unchanged(tmp_path, kind, content, error, match):
    path = tmp_path / f"{kind}.json"
    if kind == "nan":
        MLP(2, [3, 1], seed=2).save(path)
        path.write_text(
            path.read_text().replace(
                str(json.loads(path.read_text())["parameters"]["layers.0.neurons.0.b"]), "NaN", 1
            )
        )
    elif isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        MLP(2, [3, 1], seed=2).save(path)
        _write_variant(path, content)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=match) as info:
        model.load(path)
    assert str(path) in str(info.value)  # names the file
    assert model.state_dict() == before


def test_class_load_of_bad_file(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=2).save(path)
    _write_variant(path, lambda d: d["config"].update(nouts=[]))
    with pytest.raises(ValueError, match="cannot build a MLP"):
        MLP.load(path)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    old = MLP(2, [3, 1], seed=0)
    old.save(path)
    good = path.read_text()

    def crash(*args):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "fsync", crash)  # the crash comes mid-write
    with pytest.raises(OSError, match="simulated"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_text() == good  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]  # no temp file left
    monkeypatch.undo()

    monkeypatch.setattr(os, "replace", crash)  # the crash comes before the rename
    with pytest.raises(OSError):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_text() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_save_into_missing_directory_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory .*nowhere.* does not exist"):
        Neuron(2, seed=0).save(tmp_path / "nowhere" / "m.json")


def test_save_into_a_file_or_a_directory_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotADirectoryError, match=r"notes.txt' is a file, not a directory"):
        Neuron(2, seed=0).save(tmp_path / "notes.txt" / "m.json")
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cannot save to '.*folder': it is a directory"):
        Neuron(2, seed=0).save(tmp_path / "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_save_refuses_a_diverged_parameter(tmp_path):
    n = Neuron(2, seed=0)
    n.w[1].data = float("nan")
    with pytest.raises(ValueError, match=r"parameter 'w.1' is nan, not a finite number"):
        n.save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_save_into_an_unwritable_directory_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "m.json"

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(
        PermissionError,
        match=rf"cannot save to {re.escape(repr(str(path)))}: cannot create "
        r"a file in .*: Permission denied",
    ):
        Neuron(2, seed=0).save(path)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="needs POSIX permissions, which do not bind root",
)
def test_save_into_a_read_only_directory(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"cannot save to .*ro/m.json"):
            Neuron(2, seed=0).save(folder / "m.json")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize(
    "umask,mode",
    [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
    ids=["umask-022", "umask-077", "umask-002"],
)
def test_saved_file_gets_the_permissions_open_would_give(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = Neuron(2, seed=0).save(tmp_path / "m.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saving_over_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.json"
    Neuron(2, seed=0).save(path)
    path.chmod(0o640)
    Neuron(2, seed=1).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert Neuron.load(path).state_dict() == Neuron(2, seed=1).state_dict()


UNREADABLE = [
    (
        "binary",
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff"),
        ValueError,
        r"is not a text file \(byte 0x89 at position 0 is not UTF-8\)",
    ),
    ("directory", lambda p: p.mkdir(), IsADirectoryError, "it is a directory, not a file"),
    (
        "deep",
        lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
        ValueError,
        "nests lists or objects too deeply",
    ),
    ("huge_int", lambda p: p.write_text("1" * 5000), ValueError, "cannot be read as JSON"),
]


@pytest.mark.parametrize("kind,make,error,match", UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_unreadable_file_is_named_and_leaves_model_unchanged(tmp_path, kind, make, error, match):
    path = tmp_path / f"{kind}.json"
    make(path)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=match) as info:
        model.load(path)
    assert repr(str(path)) in str(info.value)
    assert model.state_dict() == before
    with pytest.raises(error, match=match):
        MLP.load(path)


def test_a_parameter_too_large_for_a_float_is_refused(tmp_path):
    path = tmp_path / "m.json"
    Neuron(2, seed=0).save(path)
    path.write_text(path.read_text().replace(repr(Neuron(2, seed=0).b.data), "1" + "0" * 400, 1))
    model = Neuron(2, seed=3)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"parameter 'b' in '.*m.json' must be finite"):
        model.load(path)
    assert model.state_dict() == before


# -- helpers for special files ------------------------------------------------------------

needs_posix = pytest.mark.skipif(not POSIX, reason="FIFOs, sockets and device nodes are POSIX")
needs_root = pytest.mark.skipif(not IS_ROOT, reason="creating a device node (os.mknod) needs root")


def make_fifo(path):
    os.mkfifo(path)


def make_socket(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.fspath(path))
    sock.close()  # the socket file stays behind


def make_char_device(path, major, minor):
    """A character device node inside tmp_path (never under /dev); 1,3 is null-like, 1,5 zero-like."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("this system does not allow device nodes here, even for root")


SPECIAL = {
    "fifo": (make_fifo, stat.S_ISFIFO, "a FIFO"),
    "socket": (make_socket, stat.S_ISSOCK, "a socket"),
    "null-device": (lambda p: make_char_device(p, 1, 3), stat.S_ISCHR, "a character device"),
    "zero-device": (lambda p: make_char_device(p, 1, 5), stat.S_ISCHR, "a character device"),
}
SPECIAL_MARKS = {
    "fifo": [needs_posix],
    "socket": [needs_posix],
    "null-device": [needs_posix, needs_root],
    "zero-device": [needs_posix, needs_root],
}
SPECIAL_PARAMS = [pytest.param(k, marks=SPECIAL_MARKS[k], id=k) for k in SPECIAL]


def load_in_child(path, cwd, timeout=60):
    """Run MLP.load(path) in a fresh interpreter with 2 GB of address space and a time
    limit, so a load that waits on a FIFO or reads a device forever fails the test
    instead of hanging it.  Returns what the child printed: the error, or 'loaded'."""
    code = (
        "import sys\nfrom tinygrad_edu.nn import MLP\n"
        "try:\n    MLP.load(sys.argv[1])\nexcept BaseException as e:\n"
        "    print(type(e).__name__ + ': ' + str(e))\nelse:\n    print('loaded')\n"
    )

    def limit_memory():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, os.fspath(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=env,
            preexec_fn=limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"load({path!r}) was still waiting after {timeout} s")
    return proc.stdout.strip() + proc.stderr.strip()[-500:]


# -- save writes only a regular file, or nothing ---------------------------------------------


@pytest.mark.parametrize("kind", SPECIAL_PARAMS)
def test_save_refuses_a_special_file_and_leaves_it(tmp_path, kind):
    make, is_kind, words = SPECIAL[kind]
    path = tmp_path / "model.json"
    make(path)
    with pytest.raises(
        persist.NotARegularFileError,
        match=rf"cannot save to {re.escape(repr(str(path)))}: it is {words}",
    ):
        Neuron(2, seed=0).save(path)
    assert is_kind(os.lstat(path).st_mode)  # still the FIFO, socket or device
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


@pytest.mark.parametrize("kind", SPECIAL_PARAMS)
def test_save_refuses_a_link_to_a_special_file(tmp_path, kind):
    make, is_kind, words = SPECIAL[kind]
    make(tmp_path / "special")
    link = tmp_path / "model.json"
    link.symlink_to("special")
    with pytest.raises(
        persist.NotARegularFileError, match=rf"a symbolic link to .*special'\): it is {words}"
    ):
        Neuron(2, seed=0).save(link)
    assert os.readlink(link) == "special" and is_kind(os.lstat(tmp_path / "special").st_mode)


@needs_posix
def test_save_through_a_symlink_updates_the_file_it_points_to(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "links").mkdir()
    real = tmp_path / "runs" / "model.json"
    Neuron(2, seed=0).save(real)
    real.chmod(0o640)
    link = tmp_path / "links" / "latest.json"
    link.symlink_to(os.path.join("..", "runs", "model.json"))  # relative, in another folder
    assert Neuron(2, seed=1).save(link) == os.fspath(link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "runs", "model.json")
    assert Neuron.load(real).state_dict() == Neuron(2, seed=1).state_dict()
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["model.json"]
    assert sorted(p.name for p in (tmp_path / "links").iterdir()) == ["latest.json"]


@needs_posix
def test_save_through_a_chain_of_links(tmp_path):
    real = tmp_path / "real.json"
    Neuron(2, seed=0).save(real)
    (tmp_path / "b.json").symlink_to("real.json")
    (tmp_path / "a.json").symlink_to("b.json")
    Neuron(2, seed=1).save(tmp_path / "a.json")
    assert (tmp_path / "a.json").is_symlink() and (tmp_path / "b.json").is_symlink()
    assert Neuron.load(real).state_dict() == Neuron(2, seed=1).state_dict()


@needs_posix
@pytest.mark.parametrize(
    "points_to,error,match",
    [
        (
            "missing.json",
            FileNotFoundError,
            r"symbolic link to 'missing.json', which does not exist",
        ),
        ("folder", IsADirectoryError, r"symbolic link to .*folder'\): it is a directory"),
        ("model.json", OSError, r"\(a symbolic link\): Too many levels of symbolic links"),
    ],
)
def test_save_refuses_a_dangling_looping_or_directory_link(tmp_path, points_to, error, match):
    (tmp_path / "folder").mkdir()
    link = tmp_path / "model.json"
    link.symlink_to(points_to)
    with pytest.raises(error, match=match):
        Neuron(2, seed=0).save(link)
    assert link.is_symlink() and os.readlink(link) == points_to
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "model.json"]
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
def test_save_refuses_a_read_only_file_even_as_root(tmp_path, mode):
    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    before = path.read_bytes()
    path.chmod(mode)
    try:
        with pytest.raises(
            PermissionError,
            match=rf"cannot save to {re.escape(repr(str(path)))}: the "
            rf"file is read-only \(mode {mode:#o}\); make it writable",
        ):
            Neuron(2, seed=1).save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == mode
        assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    finally:
        path.chmod(0o600)
    assert path.read_bytes() == before


@needs_posix
def test_save_refuses_a_read_only_file_behind_a_link_and_names_both(tmp_path):
    real = tmp_path / "real.json"
    Neuron(2, seed=0).save(real)
    real.chmod(0o444)
    (tmp_path / "link.json").symlink_to("real.json")
    with pytest.raises(
        PermissionError,
        match=r"link.json' \(a symbolic link to .*real.json'\): the file "
        r"is read-only",
    ):
        Neuron(2, seed=1).save(tmp_path / "link.json")
    assert Neuron.load(real).state_dict() == Neuron(2, seed=0).state_dict()


def test_save_refuses_a_file_this_user_may_not_write(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    before = path.read_bytes()
    calls = []

    def no_write(p, mode, **kwargs):
        calls.append((os.fspath(p), mode))
        return False

    monkeypatch.setattr(os, "access", no_write)  # as if another user owned it
    with pytest.raises(
        PermissionError,
        match=rf"cannot save to {re.escape(repr(str(path)))}: permission "
        r"denied: this user may not write to it \(mode 0o6",
    ):
        Neuron(2, seed=1).save(path)
    monkeypatch.undo()
    assert calls == [(str(path), os.W_OK)]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


@pytest.mark.skipif(not POSIX or IS_ROOT, reason="needs POSIX permissions, which do not bind root")
def test_save_refuses_a_file_owned_read_only_for_this_user(tmp_path):
    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    before = path.read_bytes()
    path.chmod(0o466)  # group and others may write; the owner (we) may not
    try:
        with pytest.raises(PermissionError, match=r"this user may not write to it \(mode 0o466\)"):
            Neuron(2, seed=1).save(path)
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "verb,call",
    [("save to", lambda p: Neuron(2, seed=0).save(p)), ("load", lambda p: Neuron.load(p))],
)
def test_a_nul_byte_in_the_path_is_named(tmp_path, verb, call):
    path = os.path.join(tmp_path, "model\x00.json")
    with pytest.raises(
        ValueError,
        match=rf"cannot {verb} '.*model\\x00.json': a file name cannot contain "
        r"a NUL byte",
    ):
        call(path)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_a_parameter_that_holds_a_value(tmp_path):
    n = Neuron(2, seed=0)
    p = n.w[0]
    p.data = p - 0.1 * p.grad  # the classic slip
    with pytest.raises(
        TypeError,
        match=r"parameter 'w.0' has .data = Value\(.* of type Value; "
        r".data must be a float",
    ):
        n.save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_more_parameters_than_a_file_may_hold(tmp_path, monkeypatch):
    monkeypatch.setattr(persist, "MAX_PARAMETERS", 12)
    with pytest.raises(
        ValueError,
        match=r"the model has 13 parameters, and a model file holds at most 12 "
        r"\(raise tinygrad_edu.persist.MAX_PARAMETERS",
    ):
        MLP(2, [3, 1], seed=0).save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []
    Neuron(11, seed=0).save(tmp_path / "m.json")  # 12 is allowed


# -- crashes and the temporary file -----------------------------------------------------------


def save_and_die_in_child(path, seed, cwd):
    """Save in a fresh interpreter that is killed (SIGKILL) once the temporary file is written."""
    code = (
        "import os, signal, sys\nfrom tinygrad_edu.nn import Neuron\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "Neuron(2, seed=int(sys.argv[2])).save(sys.argv[1])\n"
    )
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", code, os.fspath(path), str(seed)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@needs_posix
def test_crashed_saves_leave_one_temporary_file_and_the_next_save_removes_it(tmp_path):
    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    good = path.read_bytes()
    for seed in (1, 2, 3):  # three crashes in a row
        save_and_die_in_child(path, seed, cwd=tmp_path)
        assert path.read_bytes() == good  # the model is never half-written
        assert sorted(p.name for p in tmp_path.iterdir()) == [".model.json.tmp", "model.json"]
    Neuron(2, seed=4).save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    assert Neuron.load(path).state_dict() == Neuron(2, seed=4).state_dict()


@needs_posix
def test_a_crash_before_the_first_save_leaves_no_model(tmp_path):
    path = tmp_path / "model.json"
    save_and_die_in_child(path, 1, cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.json.tmp"]
    with pytest.raises(FileNotFoundError, match="no saved model at"):
        Neuron.load(path)
    Neuron(2, seed=2).save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


@pytest.mark.skipif(not POSIX, reason="advisory locks (flock) are POSIX")
def test_a_save_in_progress_is_not_disturbed(tmp_path):
    import fcntl

    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    good = path.read_bytes()
    tmp = tmp_path / ".model.json.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o666)  # another save holds its file
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(
            BlockingIOError,
            match=r"another save of it is in progress \(it is writing "
            r"'.*\.model\.json\.tmp'\)",
        ):
            Neuron(2, seed=1).save(path)
        assert tmp.exists() and path.read_bytes() == good
    finally:
        os.close(fd)
    Neuron(2, seed=1).save(path)  # released: a leftover now
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda p: p.mkdir(), "a directory"),
        pytest.param(make_fifo, r"a FIFO \(named pipe\)", marks=needs_posix),
    ],
)
def test_something_else_in_the_temporary_files_place_is_named_not_removed(tmp_path, make, words):
    path = tmp_path / "model.json"
    make(tmp_path / ".model.json.tmp")
    with pytest.raises(
        FileExistsError,
        match=rf"'.*\.model\.json\.tmp', the name save uses for its "
        rf"temporary file, is {words}; move it out of the way",
    ):
        Neuron(2, seed=0).save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.json.tmp"]


@needs_posix
def test_a_link_in_the_temporary_files_place_is_removed_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / ".model.json.tmp").symlink_to("victim.txt")
    Neuron(2, seed=0).save(tmp_path / "model.json")
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "victim.txt"]


def test_a_very_long_name_gets_a_short_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / ("m" * 250 + ".json")  # 255 bytes: the longest name allowed
    seen = []
    real_open = os.open

    def spy(p, *args, **kwargs):
        seen.append(os.path.basename(os.fspath(p)))
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    Neuron(2, seed=0).save(path)
    monkeypatch.undo()
    assert seen[0].startswith(".") and seen[0].endswith(".tmp") and len(seen[0]) < 255
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# -- load reads only a regular file, and only so much -------------------------------------------


@pytest.mark.parametrize("kind", SPECIAL_PARAMS)
def test_load_refuses_a_special_file_without_reading_it(tmp_path, kind):
    make, is_kind, words = SPECIAL[kind]
    path = tmp_path / "model.json"
    make(path)
    out = load_in_child(path, cwd=tmp_path)  # a FIFO with no writer: refused, not waited on
    assert out.startswith(f"NotARegularFileError: cannot load {str(path)!r}: it is {words}"), out
    assert out.endswith("not a regular file written by model.save(); it was not read"), out
    assert is_kind(os.lstat(path).st_mode)


@needs_posix
def test_load_refuses_a_link_to_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "model.json").symlink_to("pipe")
    assert "it is a FIFO (named pipe)" in load_in_child(tmp_path / "model.json", cwd=tmp_path)


def test_load_refuses_a_file_larger_than_any_model_unread(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    with open(path, "wb") as f:
        f.truncate(persist.max_file_bytes() + 1)  # sparse: costs no disk
    reads = []
    monkeypatch.setattr(os, "read", lambda *a: reads.append(a) or b"")
    with pytest.raises(
        ValueError,
        match=rf"cannot load {re.escape(repr(str(path)))}: it is "
        rf"{persist.max_file_bytes() + 1:,} bytes, more than any model "
        r"file \(.* bytes at most, for the 1,000,000 parameters "
        r"tinygrad_edu.persist.MAX_PARAMETERS allows\)",
    ):
        MLP.load(path)
    assert reads == []


def test_the_file_size_limit_follows_max_parameters(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=0).save(path)
    monkeypatch.setattr(persist, "MAX_PARAMETERS", 13)
    assert persist.max_file_bytes() == (1 << 20) + 128 * 13
    assert MLP.load(path).state_dict() == MLP(2, [3, 1], seed=0).state_dict()
    path.write_bytes(b" " * (persist.max_file_bytes() + 1))
    with pytest.raises(ValueError, match="more than any model file"):
        MLP.load(path)


def test_a_largest_model_file_fits_the_size_limit(tmp_path, monkeypatch):
    # long names, long numbers: the most bytes per parameter save writes
    model = MLP(1, [1] * 599 + [10], seed=0)
    for p in model.parameters():
        p.data = -2.2250738585072014e-300
    count = len(model.parameters())
    monkeypatch.setattr(persist, "MAX_PARAMETERS", count)
    path = model.save(tmp_path / "m.json")
    assert os.path.getsize(path) < 100 * count
    assert MLP.load(path).state_dict() == model.state_dict()


# -- load checks the whole file before building anything ------------------------------------------


@pytest.fixture
def forbid_building(monkeypatch):
    """Call it once the file is written: from then on, building a neuron fails the test
    (the file must be refused before anything is built)."""

    def forbid():
        def refuse(self, *args, **kwargs):
            raise AssertionError("a neuron was built before the file was checked")

        monkeypatch.setattr(Neuron, "__init__", refuse)

    return forbid


def _tiny_file(path, config, parameters=None, module="MLP", **entries):
    doc = {
        "format": "tinygrad_edu.nn",
        "version": 1,
        "module": module,
        "config": config,
        "parameters": {"layers.0.neurons.0.b": 0.0} if parameters is None else parameters,
    }
    doc.update(entries)
    path.write_text(json.dumps(doc))
    return path


def _mlp_config(nin, nouts, **extra):
    return {
        "nin": nin,
        "nouts": nouts,
        "activation": "sigmoid",
        "output_activation": "sigmoid",
        **extra,
    }


@pytest.mark.parametrize("nouts,count", [([3000], "9,003,000"), ([100_000], "300,100,000")])
def test_a_tiny_file_asking_for_a_huge_model_is_refused_unbuilt(
    tmp_path, forbid_building, nouts, count
):
    path = _tiny_file(tmp_path / "m.json", _mlp_config(3000, nouts))
    forbid_building()
    assert os.path.getsize(path) < 300
    with pytest.raises(
        ValueError,
        match=rf"asks for a MLP with {count} parameters \(config .*\), but a "
        r"model file may hold at most 1,000,000 "
        r"\(tinygrad_edu.persist.MAX_PARAMETERS\); the file holds 1",
    ):
        MLP.load(path)


def test_a_file_holding_fewer_parameters_than_its_config_is_refused_unbuilt(
    tmp_path, forbid_building
):
    path = _tiny_file(tmp_path / "m.json", _mlp_config(500, [1000]))  # 501,000: under the cap
    forbid_building()
    with pytest.raises(
        ValueError,
        match=r"does not fit MLP\(nin=500, nouts=\[1000\].* in '.*m.json': "
        r"the module has 501,000 parameters, the state dict 1",
    ):
        MLP.load(path)


def _saved(tmp_path, change):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=2).save(path)
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return path


def _set_param(name, value):
    return lambda d: d["parameters"].update({name: value})


BUILT_TOO_EARLY = [
    (
        "version-true",
        lambda d: d.update(version=True),
        "has format version true \\(not an integer\\)",
    ),
    (
        "version-float",
        lambda d: d.update(version=1.0),
        "has format version 1.0 \\(not an integer\\)",
    ),
    ("nin-true", lambda d: d["config"].update(nin=True), "nin .* must be a positive int, got True"),
    ("size-true", lambda d: d["config"].update(nouts=[3, True]), "each layer size .* got True"),
    ("config-extra", lambda d: d["config"].update(init="he"), "'init' unexpected"),
    (
        "config-missing",
        lambda d: d["config"].pop("output_activation"),
        "'output_activation' missing",
    ),
    ("param-true", _set_param("layers.1.neurons.0.b", True), "'layers.1.neurons.0.b' .* got bool"),
    (
        "param-string",
        _set_param("layers.0.neurons.2.w.1", "x"),
        "'layers.0.neurons.2.w.1' .* got str",
    ),
    (
        "param-null",
        _set_param("layers.0.neurons.0.w.0", None),
        "'layers.0.neurons.0.w.0' .* NoneType",
    ),
    (
        "param-list",
        _set_param("layers.0.neurons.0.w.0", [1.0]),
        "'layers.0.neurons.0.w.0' .* got list",
    ),
    ("param-huge", _set_param("layers.0.neurons.0.w.0", 10**400), "must be finite, got inf"),
    (
        "param-missing",
        lambda d: d["parameters"].pop("layers.1.neurons.0.b"),
        "missing key.*neurons.0.b",
    ),
    (
        "param-extra",
        _set_param("layers.1.neurons.1.b", 0.0),
        "unexpected key.*layers.1.neurons.1.b",
    ),
    (
        "renamed",
        lambda d: d.update(parameters={k.replace("w", "W"): v for k, v in d["parameters"].items()}),
        "missing key.*unexpected key",
    ),
    (
        "entry-extra",
        lambda d: d.update(note="hi"),
        "has an entry model.save\\(\\) does not write: 'note'",
    ),
    ("module-list", lambda d: d.update(module=["MLP"]), "'module' is an array, not a string"),
    (
        "params-list",
        lambda d: d.update(parameters=[1.0]),
        "'parameters' is an array, not an object",
    ),
]


@pytest.mark.parametrize(
    "change,match", [b[1:] for b in BUILT_TOO_EARLY], ids=[b[0] for b in BUILT_TOO_EARLY]
)
def test_class_load_checks_the_whole_file_before_building(tmp_path, forbid_building, change, match):
    path = _saved(tmp_path, change)
    forbid_building()
    with pytest.raises((ValueError, TypeError), match=match) as info:
        MLP.load(path)
    assert repr(str(path)) in str(info.value)


@pytest.mark.parametrize(
    "change,match", [b[1:] for b in BUILT_TOO_EARLY], ids=[b[0] for b in BUILT_TOO_EARLY]
)
def test_loading_into_a_model_checks_the_same_and_changes_nothing(tmp_path, change, match):
    path = _saved(tmp_path, change)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises((ValueError, TypeError)) as info:
        model.load(path)
    assert repr(str(path)) in str(info.value)
    assert model.state_dict() == before


def test_a_duplicated_key_is_refused(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=2).save(path)
    text = path.read_text().replace(
        '"layers.0.neurons.0.b":', '"layers.0.neurons.0.w.0": 5.0, "layers.0.neurons.0.b":', 1
    )
    path.write_text(text)
    with pytest.raises(
        ValueError, match=r"has the key 'layers.0.neurons.0.w.0' twice in one object"
    ):
        MLP.load(path)


def test_a_long_integer_is_refused_before_it_is_converted(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"format": "tinygrad_edu.nn", "version": ' + "9" * 100_000 + "}")
    with pytest.raises(
        ValueError, match=r"cannot be read as JSON: it holds an integer of 100,000 digits"
    ):
        MLP.load(path)


def test_error_messages_stay_short_for_huge_entries(tmp_path):
    path = _saved(tmp_path, lambda d: d["config"].update(activation="x" * 1_000_000))
    with pytest.raises(ValueError) as info:
        MLP.load(path)
    assert "unknown activation 'xxx" in str(info.value) and len(str(info.value)) < 1000


def test_module_load_builds_any_saved_module_and_refuses_unknown_ones(tmp_path):
    Layer(2, 3, seed=1).save(tmp_path / "l.json")
    assert Module.load(tmp_path / "l.json").state_dict() == Layer(2, 3, seed=1).state_dict()
    path = _saved(tmp_path, lambda d: d.update(module="Perceptron"))
    with pytest.raises(ValueError, match=r"holds an unknown module 'Perceptron'"):
        Module.load(path)
    with pytest.raises(ValueError, match=r"holds a Perceptron, not a MLP"):
        MLP.load(path)


class Pair(Module):
    """A learner's own module: two parameters, no config."""

    def __init__(self):
        from tinygrad_edu import Value

        self.a, self.b = Value(1.0), Value(2.0)

    def named_parameters(self):
        return [("a", self.a), ("b", self.b)]


def test_a_learners_own_module_saves_and_loads_into_an_instance(tmp_path):
    p = Pair()
    p.a.data = 5.0
    p.save(tmp_path / "pair.json")
    q = Pair().load(tmp_path / "pair.json")
    assert q.state_dict() == {"a": 5.0, "b": 2.0}
    with pytest.raises(
        ValueError,
        match=r"a Pair cannot be built from a file; build one and call its "
        r"\.load\(path\)",
    ):
        Pair.load(tmp_path / "pair.json")


@needs_posix
def test_a_fifo_that_appears_during_the_save_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    real_fsync = os.fsync

    def swap_in_a_fifo(fd):
        real_fsync(fd)
        os.mkfifo(path)  # something else takes the name meanwhile

    monkeypatch.setattr(os, "fsync", swap_in_a_fifo)
    with pytest.raises(
        persist.NotARegularFileError, match=r"while it was being saved it became a FIFO"
    ):
        Neuron(2, seed=0).save(path)
    monkeypatch.undo()
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
