# plugins/generator-kubernetes: the `kubernetes` generator (exo generate kubernetes).
plugin_LTLIBRARIES += plugins/generator_kubernetes.la
plugins_generator_kubernetes_la_SOURCES = plugins/generator-kubernetes/kubernetes.c
plugins_generator_kubernetes_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
plugins_generator_kubernetes_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_generator_kubernetes_la_LIBADD = $(EXO_GEN_PLUGIN_LIBS)

EXO_KUBERNETES_TESTS = tests/generate/kubernetes.sh tests/containers/kubernetes.sh
TESTS += $(EXO_KUBERNETES_TESTS)
EXTRA_DIST += $(EXO_KUBERNETES_TESTS) tests/generate/k8s-validate.py tests/generate/lib.sh
