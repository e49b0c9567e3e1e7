/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_LOOP_H
#define _MMNET_LOOP_H

struct mmnet_device;

int mmnet_loop_init(void);
void mmnet_loop_uninit(void);
int mmnet_loop_join(struct mmnet_device *mmnet);
void mmnet_loop_leave(struct mmnet_device *mmnet);

#endif /* _MMNET_LOOP_H */
