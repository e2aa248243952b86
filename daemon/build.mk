# daemon/: qsockd, the privileged manager (see daemon/proto.h for the protocol).
