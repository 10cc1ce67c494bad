# core/model.mk: sources and tests of this core area (none yet).
