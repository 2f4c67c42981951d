"""A FastCGI client that keeps its connection, as nginx does with fastcgi_keep_conn, for
KeepAliveTests: request on connection A (kept), then on a new connection B while A sits idle,
then on A again, then A closed by the client. Prints one line per step: the step, the status
line of the answer, and the time it took."""
import socket, struct, sys, time

def record(kind, request_id, content):
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), 0) + content

def params(pairs):
    body = b""
    for name, value in pairs:
        for part in (name, value):
            body += bytes([len(part)]) if len(part) < 128 else struct.pack("!I", len(part) | 0x80000000)
        body += name + value
    return body

def request(sock, body, keep):
    rid = 1
    sock.sendall(record(1, rid, struct.pack("!HB5x", 1, 1 if keep else 0)))  # BEGIN_REQUEST, responder
    sock.sendall(record(4, rid, params([
        (b"REQUEST_METHOD", b"POST"), (b"DOCUMENT_URI", b"/functions/v1/user-bucket-service"),
        (b"CONTENT_TYPE", b"application/json"), (b"CONTENT_LENGTH", str(len(body)).encode())])))
    sock.sendall(record(4, rid, b""))
    sock.sendall(record(5, rid, body))
    # The record that ends the input comes a moment after the body, in a packet of its own (as
    # nginx may send it): a worker that answers without reading it finds it at the start of
    # the next request on this connection.
    time.sleep(0.05)
    sock.sendall(record(5, rid, b""))
    out = b""
    while True:
        header = b""
        while len(header) < 8:
            chunk = sock.recv(8 - len(header))
            if not chunk:
                return None
            header += chunk
        _, kind, _, length, padding = struct.unpack("!BBHHBx", header)
        content = b""
        while len(content) < length + padding:
            content += sock.recv(length + padding - len(content))
        if kind == 6:
            out += content[:length]
        if kind == 3:  # END_REQUEST
            return out.split(b"\r\n", 1)[0].decode()

path, body = sys.argv[1], sys.argv[2].encode()
def timed(label, sock):
    started = time.monotonic()
    status = request(sock, body, keep=True)
    print(f"{label} {status} {time.monotonic() - started:.2f}", flush=True)

a = socket.socket(socket.AF_UNIX); a.settimeout(5); a.connect(path)
timed("a1", a)
b = socket.socket(socket.AF_UNIX); b.settimeout(5); b.connect(path)
timed("b1", b)  # A is idle and kept: B must still be served
timed("a2", a)
a.close()
time.sleep(0.2)
timed("b2", b)
