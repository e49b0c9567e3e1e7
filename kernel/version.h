/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_VERSION_H
#define _MMNET_VERSION_H

#define MMNET_VERSION "0.1.0"

#endif /* _MMNET_VERSION_H */
