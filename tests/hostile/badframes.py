"""badframes.py ENDPOINT N: send N malformed frames to a broker over a bare ZeroMQ DEALER
(through libzmq with ctypes: no Python binding needed), then wait until they are sent."""
import ctypes
import sys
import time

ZMQ_DEALER, ZMQ_LINGER = 5, 17
zmq = ctypes.CDLL("libzmq.so.5")
zmq.zmq_ctx_new.restype = ctypes.c_void_p
zmq.zmq_socket.restype = ctypes.c_void_p
zmq.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
zmq.zmq_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
zmq.zmq_send.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
zmq.zmq_setsockopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
zmq.zmq_close.argtypes = [ctypes.c_void_p]
zmq.zmq_ctx_term.argtypes = [ctypes.c_void_p]

ctx = zmq.zmq_ctx_new()
sock = zmq.zmq_socket(ctx, ZMQ_DEALER)
linger = ctypes.c_int(5000)
zmq.zmq_setsockopt(sock, ZMQ_LINGER, ctypes.byref(linger), ctypes.sizeof(linger))
assert zmq.zmq_connect(sock, sys.argv[1].encode()) == 0
frame = b"\xff\x00not a frame"
for _ in range(int(sys.argv[2])):
    while zmq.zmq_send(sock, frame, len(frame), 0) < 0:
        time.sleep(0.001)
zmq.zmq_close(sock)
zmq.zmq_ctx_term(ctx)
print("sent", sys.argv[2])
