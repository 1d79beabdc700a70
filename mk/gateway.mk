# gateway.mk — embeds the dashboard (web/) into the boxagent binary.
WEB_FILES := $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg web/*.ico))
$(B)/gen/web_assets.S: $(WEB_FILES) scripts/embed-files.sh
	@mkdir -p $(@D)
	scripts/embed-files.sh gw_assets web/ "" $(WEB_FILES) > $@
EXTRA_LIB_SRCS += $(B)/gen/web_assets.S

# The gateway load test (make bench-gateway; part of make bench).
$(B)/bench/gateway_load: bench/gateway_load.c $(B)/rel/libboxagent.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -o $@ $< $(B)/rel/libboxagent.a $(LIBS)

bench-gateway: $(B)/boxagent $(B)/bench/gateway_load
	bench/gateway_load.sh

bench: bench-gateway
.PHONY: bench-gateway
