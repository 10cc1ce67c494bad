# core/dashboard/web/: the dashboard's page (docs/dashboard.md). Static files with no build
# step, installed to $(pkgdatadir)/dashboard/, where exo run's dashboard serves them from
# under /TOKEN/ (exo.js comes from the websocket frontend plugin itself).
dashboardwebdir = $(pkgdatadir)/dashboard
dist_dashboardweb_DATA = \
	core/dashboard/web/index.html \
	core/dashboard/web/dashboard.js \
	core/dashboard/web/dom.js \
	core/dashboard/web/map.js \
	core/dashboard/web/dashboard.css
