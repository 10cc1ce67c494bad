"""badframes.py ENDPOINT N: send N malformed frames to a broker over a bare ZeroMQ DEALER
(through libzmq with ctypes: no Python binding needed), reading the broker's error replies as
they come; then wait for the rest of the replies (up to 20 s, or until none came for 3 s).
Prints "sent N replies R": the broker had read at least R of the frames when this returned."""
import ctypes
import sys
import time

ZMQ_DEALER, ZMQ_LINGER, ZMQ_DONTWAIT = 5, 17, 1
zmq = ctypes.CDLL("libzmq.so.5")
zmq.zmq_ctx_new.restype = ctypes.c_void_p
zmq.zmq_socket.restype = ctypes.c_void_p
zmq.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
zmq.zmq_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
zmq.zmq_send.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
zmq.zmq_recv.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
zmq.zmq_setsockopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
zmq.zmq_close.argtypes = [ctypes.c_void_p]
zmq.zmq_ctx_term.argtypes = [ctypes.c_void_p]

ctx = zmq.zmq_ctx_new()
sock = zmq.zmq_socket(ctx, ZMQ_DEALER)
linger = ctypes.c_int(0)
zmq.zmq_setsockopt(sock, ZMQ_LINGER, ctypes.byref(linger), ctypes.sizeof(linger))
assert zmq.zmq_connect(sock, sys.argv[1].encode()) == 0
frame = b"\xff\x00not a frame"
buf = ctypes.create_string_buffer(65536)
replies = 0


def drain():
    """Read every reply waiting now; each is one whole message (a single frame)."""
    global replies
    while zmq.zmq_recv(sock, buf, len(buf), ZMQ_DONTWAIT) >= 0:
        replies += 1


n = int(sys.argv[2])
for _ in range(n):
    while zmq.zmq_send(sock, frame, len(frame), ZMQ_DONTWAIT) < 0:
        drain()
        time.sleep(0.001)
    drain()
deadline, last = time.time() + 20, time.time()
while replies < n and time.time() < deadline and time.time() - last < 3:
    before = replies
    drain()
    if replies > before:
        last = time.time()
    time.sleep(0.01)
zmq.zmq_close(sock)
zmq.zmq_ctx_term(ctx)
print("sent", n, "replies", replies)
