/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The four symbols Wireshark looks for in a plugin; nothing else is exported. */
#define WS_BUILD_DLL
#include <wireshark.h>

void smtpx_register(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = SMTPX_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    smtpx_register();
}
