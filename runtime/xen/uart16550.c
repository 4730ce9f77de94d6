/* SPDX-License-Identifier: MIT */
/* The 16550A model: see uart16550.h for what it is and why it has no interrupts. */
#include "xen/uart16550.h"

void pv_uart_reset(struct pv_uart *u)
{
	u->ier = u->lcr = u->mcr = u->scr = u->fcr = 0;
	u->dll = 12, u->dlm = 0;             /* 9600 baud, like a PC after reset */
	u->thre_pending = 0;
	u->rx_full = u->rx = 0;
	u->len = 0;
}

/* MSR: in loopback the modem inputs follow the MCR outputs; else a ready line */
static uint8_t modem_status(const struct pv_uart *u)
{
	if (u->mcr & PV_UART_MCR_LOOP)
		return (uint8_t)((u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3 |   /* DTR->DSR, RTS->CTS */
				 (u->mcr & 0x04) << 4 | (u->mcr & 0x08) << 4);   /* OUT1->RI, OUT2->DCD */
	return 0xb0;                         /* DCD | DSR | CTS */
}

uint8_t pv_uart_read(struct pv_uart *u, unsigned reg)
{
	int dlab = u->lcr & PV_UART_LCR_DLAB;
	uint8_t fifo = (u->fcr & 1) ? 0xc0 : 0;

	switch (reg & 7) {
	case UART_RBR_THR:
		if (dlab)
			return u->dll;
		if (u->rx_full) {
			u->rx_full = 0;
			return u->rx;
		}
		return 0;
	case UART_IER_DLM:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		if ((u->ier & PV_UART_IER_RDI) && u->rx_full)
			return fifo | PV_UART_IIR_RDI;    /* RX data before THRE, as on a 16550 */
		if ((u->ier & PV_UART_IER_THRI) && u->thre_pending) {
			u->thre_pending = 0;     /* reading IIR acknowledges THRE */
			return fifo | PV_UART_IIR_THRI;
		}
		return fifo | PV_UART_IIR_NOINT;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return PV_UART_LSR_THRE | PV_UART_LSR_TEMT | (u->rx_full ? PV_UART_LSR_DR : 0);
	case UART_MSR:
		return modem_status(u);
	default:
		return u->scr;
	}
}

int pv_uart_write(struct pv_uart *u, unsigned reg, uint8_t val)
{
	int dlab = u->lcr & PV_UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_RBR_THR:
		if (dlab) {
			u->dll = val;
			return 0;
		}
		u->thre_pending = 1;
		if (u->mcr & PV_UART_MCR_LOOP)
			return 0;            /* loopback: nothing leaves the chip */
		if (val == '\r')
			return 0;            /* Xen's console adds its own */
		{
			/*
			 * len is read once and bounded: even if two CPUs ever
			 * wrote at once (the blob serialises them, xen/pio.c),
			 * a stale length can cost a character, never a write
			 * outside line[].
			 */
			unsigned n = u->len;

			if (n >= PV_UART_LINE)
				n = 0;
			u->line[n++] = (char)val;
			u->len = (uint16_t)n;
			return val == '\n' || n == PV_UART_LINE;
		}
	case UART_IER_DLM:
		if (dlab)
			u->dlm = val;
		else
			u->ier = val & 0x0f;       /* no new THRE interrupt: see uart16550.h */
		return 0;
	case UART_IIR_FCR:
		u->fcr = val & 0xc9;         /* FIFO enable, DMA mode, trigger level */
		return 0;
	case UART_LCR:
		u->lcr = val;
		return 0;
	case UART_MCR:
		u->mcr = val & 0x1f;
		return 0;
	case UART_SCR:
		u->scr = val;
		return 0;
	default:
		return 0;                    /* LSR and MSR writes change nothing here */
	}
}

void pv_uart_rx(struct pv_uart *u, uint8_t c)
{
	if (u->rx_full)
		return;
	u->rx = c;
	u->rx_full = 1;
}

int pv_uart_irq(const struct pv_uart *u)
{
	return ((u->ier & PV_UART_IER_RDI) && u->rx_full) || ((u->ier & PV_UART_IER_THRI) && u->thre_pending);
}
