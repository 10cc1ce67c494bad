# core/run.mk: sources and tests of this core area (none yet).
