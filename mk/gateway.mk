# gateway.mk — embeds the dashboard (web/) into the boxagent binary.
WEB_FILES := $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg web/*.ico))
$(B)/gen/web_assets.S: $(WEB_FILES) scripts/embed-files.sh
	@mkdir -p $(@D)
	scripts/embed-files.sh gw_assets web/ $(WEB_FILES) > $@
EXTRA_LIB_SRCS += $(B)/gen/web_assets.S
