/* SPDX-License-Identifier: GPL-2.0 */
/* The version of mmnet's user tools (mmnetctl, mmnetd): one place. */
#ifndef MMNET_TOOLS_VERSION_H
#define MMNET_TOOLS_VERSION_H

#define MMNET_VERSION	"0.1"

#endif
