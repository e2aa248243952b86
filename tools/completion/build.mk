# SPDX-License-Identifier: GPL-2.0
#
# tools/completion — bash completion: qsock.bash for qsock(1), tc-dwcs.bash for the dwcs
# options of tc(8). Both read their words from the programs' own help, at completion time.
#
# bash-completion loads a command's file on demand, by the command's name, from
# COMPLETIONDIR (it searches PREFIX/share too, through XDG_DATA_DIRS): qsock's is "qsock".
# tc's is iproute2's file "tc", so tc-dwcs, which wraps it, is only found when a shell sources
# it: from ~/.bashrc, or from bash-completion's directory of files every shell reads, which
# is /etc/bash_completion.d: outside PREFIX, so only when asked (BASHCOMPATDIR=that).

COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
BASHCOMPATDIR ?=

INSTALL += install-completion
INSTALLED += $(COMPLETIONDIR)/qsock $(COMPLETIONDIR)/tc-dwcs \
	     $(if $(BASHCOMPATDIR),$(BASHCOMPATDIR)/tc-dwcs)
.PHONY: install-completion
install-completion:
	$(Q)install -D -m 0644 tools/completion/qsock.bash $(DESTDIR)$(COMPLETIONDIR)/qsock
	$(Q)install -D -m 0644 tools/completion/tc-dwcs.bash $(DESTDIR)$(COMPLETIONDIR)/tc-dwcs
	$(Q)$(if $(BASHCOMPATDIR),install -D -m 0644 tools/completion/tc-dwcs.bash \
		$(DESTDIR)$(BASHCOMPATDIR)/tc-dwcs)
