/* SPDX-License-Identifier: MIT */
/* The plugin-compiled port-I/O functions that xen-harness patches and runs. */
#ifndef PREVIRT_TEST_XPROG_H
#define PREVIRT_TEST_XPROG_H

#include <stdint.h>

#define X_COM1      0x3f8
#define X_PM1A_CNT  0x604        /* QEMU q35's ACPI ports, as the FADT names them */
#define X_PM_TMR    0x608

void x_uart_puts(const char *s);
uint8_t x_uart_reg(unsigned reg);
void x_uart_set(unsigned reg, uint8_t v);
uint32_t x_pm_timer(void);
void x_pm1_control(uint16_t v);
void x_kbc(uint8_t v);
void x_post(uint8_t v);
void x_pit2_start(void);
uint8_t x_pit2_msb(void);
uint8_t x_port61(void);
void x_pit_cmd(uint8_t v);
uint64_t x_flags(uint64_t x);

#endif
