/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_LOOP_H
#define _MMNET_LOOP_H

#include "transport.h"

/* Channels between the mmnet devices of one kernel (the plain testbed). */
extern const struct mmnet_transport mmnet_loop_transport;

#endif /* _MMNET_LOOP_H */
