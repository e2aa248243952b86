# SPDX-License-Identifier: GPL-2.0
# test/apps/paper-* — the paper's code examples (§3.1.1, §3.1.2, §3.1.3, §3.2) compiled as
# printed with only `#include <qsock.h>` added, against the public header and the shared
# library, as an application would be. Run by test/bats/lib-paper.bats and test/vm/lib-dwcs.bats.
PAPER_APPS := $(addprefix $(BUILD)/test/apps/,paper-init paper-qsocket paper-qsendto paper-qattach)
TEST_BINS += $(PAPER_APPS)

# The excerpts leave fields uninitialised and strncpy IFNAMSIZ bytes, as printed.
$(PAPER_APPS:%=%.o): CFLAGS += -Wno-maybe-uninitialized -Wno-stringop-truncation

$(PAPER_APPS): $(BUILD)/test/apps/paper-%: $(BUILD)/test/apps/paper-%.o $(LIB_SO)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $< $(LDFLAGS) -L$(BUILD)/lib -lqsock -Wl,-rpath,$(CURDIR)/$(BUILD)/lib
