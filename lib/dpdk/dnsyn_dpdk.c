/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane glue to DPDK: port set-up and timestamp lookup. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "dnsyn_mbuf_ts.h"
#include "dnsyn_port.h"

void
dnsyn_ts_init(struct dnsyn_ts *t, uint64_t dyn_mult)
{
	struct timespec ts;

	memset(t, 0, sizeof(*t));
	t->dyn_off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	if (t->dyn_off >= 0) {
		int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);

		if (bit < 0)
			t->dyn_off = -1;
		else
			t->dyn_flag = 1ULL << bit;
	}
	t->dyn_mult = dyn_mult;
	t->tsc_hz = rte_get_tsc_hz();
	t->tsc_base = rte_rdtsc();
	clock_gettime(CLOCK_REALTIME, &ts);
	t->ns_base = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Largest MTU asked of a port, and what a frame adds to it (Ethernet
 * header, CRC, two VLAN tags). */
#define JUMBO_MTU 9000u
#define FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN)

/* Symmetric Toeplitz key (0x6d5a repeated): both directions of a 5-tuple hash
 * alike, so a DNS query, its TCP stream and its answer stay on one queue. */
static uint8_t sym_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

int
dnsyn_port_setup(uint16_t port, uint16_t nb_rxq, uint16_t nb_desc, struct rte_mempool *mp,
		 int *hw_ts, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint64_t want = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
	uint16_t q, nb_txq = 0, nb_txd = 0, nb_rxd = nb_desc;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0) {
		snprintf(err, errlen, "port %u: cannot get device info: %s", port, strerror(-ret));
		return ret;
	}
	if (nb_rxq > info.max_rx_queues) {
		snprintf(err, errlen, "port %u (%s): %u RX queues asked, device has %u", port,
			 info.driver_name, nb_rxq, info.max_rx_queues);
		return -EINVAL;
	}
	/* Ask only for hash functions the device has (net_pcap has none, and
	 * configuring RSS on it fails with EINVAL otherwise). */
	if (nb_rxq > 1 && (want & info.flow_type_rss_offloads)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = want & info.flow_type_rss_offloads;
		if (info.hash_key_size == sizeof(sym_rss_key)) {
			conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_rss_key);
		}
		if (conf.rx_adv_conf.rss_conf.rss_hf != want)
			RTE_LOG(NOTICE, USER1,
				"port %u: RSS hash functions masked by device support: "
				"requested %#" PRIx64 ", configured %#" PRIx64 "\n",
				port, want, conf.rx_adv_conf.rss_conf.rss_hf);
	} else {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	/* The NIC's own receive time, where it has one: no jitter from when
	 * the burst was polled (docs/deploy.md). */
	if (hw_ts) {
		*hw_ts = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) != 0;
		if (*hw_ts)
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	}
	/* A mirror port carries what the link carries, jumbo frames included:
	 * take frames up to 9000-byte MTU, scattered over mbufs where the device
	 * can (the RX lcore reads multi-segment packets), else as much as one
	 * mbuf holds. */
	{
		uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
		uint32_t mtu = RTE_MIN((uint32_t)info.max_mtu, JUMBO_MTU);

		/* ethdev checks the frame (MTU + header + CRC) against this too */
		if (info.max_rx_pktlen > RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN)
			mtu = RTE_MIN(mtu, info.max_rx_pktlen - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN);

		if (mtu + FRAME_OVERHEAD > room) {
			if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
				conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
			else
				mtu = room > FRAME_OVERHEAD ? room - FRAME_OVERHEAD : 0;
		}
		if (mtu > RTE_ETHER_MTU && mtu >= info.min_mtu)
			conf.rxmode.mtu = mtu;
	}
	/* net_memif (server role) accepts 0 TX queues, then refuses the
	 * client's server-to-client ring ("Invalid ring index") and never
	 * connects: give it idle TX queues too. */
	if (strcmp(info.driver_name, "net_memif") == 0)
		nb_txq = nb_rxq;
	ret = rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf);
	if (ret < 0 && conf.rxmode.mtu) {
		/* Not every PMD takes an MTU here (vdevs): the default, said. */
		RTE_LOG(NOTICE, USER1, "port %u (%s): MTU %u refused (%s), default kept\n", port,
			info.driver_name, conf.rxmode.mtu, strerror(-ret));
		conf.rxmode.mtu = 0;
		conf.rxmode.offloads &= ~RTE_ETH_RX_OFFLOAD_SCATTER;
		ret = rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf);
	}
	if (ret < 0) {
		/* Some PMDs (net_tap) want as many TX queues as RX queues:
		 * give them idle ones rather than refuse the port. */
		nb_txq = nb_rxq;
		ret = rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf);
	}
	if (ret < 0) {
		snprintf(err, errlen, "port %u (%s): configure with %u RX queues failed: %s", port,
			 info.driver_name, nb_rxq, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret < 0) {
		snprintf(err, errlen, "port %u: descriptor counts rejected: %s", port,
			 strerror(-ret));
		return ret;
	}
	for (q = 0; q < nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, rte_eth_dev_socket_id(port), NULL, mp);
		if (ret < 0) {
			snprintf(err, errlen, "port %u: RX queue %u setup failed: %s", port, q,
				 strerror(-ret));
			return ret;
		}
	}
	for (q = 0; q < nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(port, q, nb_txd ? nb_txd : 512,
					     rte_eth_dev_socket_id(port), NULL);
		if (ret < 0) {
			snprintf(err, errlen, "port %u: TX queue %u setup failed: %s", port, q,
				 strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(port);
	if (ret < 0) {
		snprintf(err, errlen, "port %u (%s): start failed: %s", port, info.driver_name,
			 strerror(-ret));
		return ret;
	}
	/* A tap or SPAN port delivers frames for other MACs: promiscuous. Some
	 * vdevs (pcap files) do not support it, which is harmless. */
	rte_eth_promiscuous_enable(port);
	return 0;
}

/* Wall-clock ns now. */
static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int
dnsyn_port_clock_fit(uint16_t port, struct dnsyn_clock_map *m, char *err, size_t errlen)
{
	uint64_t d0 = 0, d1 = 0, n0, n1 = 0;
	int ret;

	/* Each reading bracketed by the wall clock, 100 ms apart: a reading's
	 * own delay (a PCI read, ~1 us) then errs by ~1e-5 in the rate. */
	n0 = realtime_ns();
	ret = rte_eth_read_clock(port, &d0);
	n0 = (n0 + realtime_ns()) / 2;
	if (ret == 0) {
		rte_delay_us_sleep(100000);
		n1 = realtime_ns();
		ret = rte_eth_read_clock(port, &d1);
		n1 = (n1 + realtime_ns()) / 2;
	}
	if (ret < 0) {
		snprintf(err, errlen, "port %u: cannot read the NIC clock (%s)", port, strerror(-ret));
		return ret;
	}
	if (dnsyn_clock_fit(m, d0, n0, d1, n1) < 0) {
		snprintf(err, errlen, "port %u: the NIC clock gave no usable rate (%" PRIu64
			 " ticks in %" PRIu64 " ns)", port, d1 - d0, n1 - n0);
		return -EINVAL;
	}
	return 0;
}
