/*
 * test_langid.c - classify_langid(): one news title and lead per row and
 * the ISO 639-1 code it must give (NULL: too little evidence).
 *
 * The texts were written for this test, in the style of the items pcmon
 * sees: a headline, then one or two sentences.  Close pairs sit next to
 * each other (es/pt/it, id/ms, hr/sr, ru/uk/bg/sr Cyrillic, da/no/sv).
 * The first calls are made by two threads at once, so that the tables are
 * built under contention; each must get every row right.
 */
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "check.h"
#include "classify.h"

#define FR_TEXT                                                                \
	"Le ministre de l'Intérieur annonce un renfort de policiers à "      \
	"Marseille. Près de 300 agents supplémentaires seront déployés "   \
	"d'ici la fin de l'année pour lutter contre le trafic de drogue."
/* Latin letters outweigh the Han ones but say nothing */
#define MIXED_TEXT "TikTok CEO Shou Zi Chew出席听证会"

/* clang-format off */
static const struct {
	const char *want, *text;
} rows[] = {
	/* English */
	{ "en", "Interpol issues red notice for fugitive banker. The suspect, "
	  "wanted in connection with a $40 million fraud, is believed to have "
	  "fled to Southeast Asia, police said on Tuesday." },
	{ "en", "Police in Manchester arrest three after raid on cannabis farm. "
	  "Officers found more than 900 plants in a disused warehouse and said "
	  "the investigation is ongoing." },
	{ "en", "China opens overseas police 'service stations', rights group "
	  "says. The report claims the offices in at least 30 countries were "
	  "used to pressure dissidents to return home." },
	{ "en", "Floods hit Zhengzhou as Henan braces for more rain. Authorities "
	  "in the provincial capital (郑州) evacuated thousands of residents, "
	  "while rail services to Wuhan and Beijing (北京) were suspended." },
	{ "en", "Prime minister resigns after losing vote of no confidence" },
	{ "en", "Erdoğan meets Kılıçdaroğlu supporters in İstanbul as the "
	  "election campaign heats up" },
	{ "en", "Former Mexican president Enrique Peña Nieto met officials in "
	  "São Paulo on Monday to discuss the investigation." },
	{ "en", "Don't expect a quick deal, Beijing's envoy tells EU leaders. "
	  "The talks on trade and security are likely to drag on into next "
	  "year, he said." },
	/* French */
	{ "fr", FR_TEXT },
	{ "fr", "Cybercriminalité : un réseau démantelé par Europol et la "
	  "gendarmerie. Les enquêteurs ont saisi des serveurs en Allemagne et "
	  "aux Pays-Bas, et interpellé six suspects." },
	{ "fr", "La Chine dément l’existence de « commissariats » clandestins "
	  "en France. Selon l’ambassade, il s’agit de simples centres d’aide "
	  "administrative pour les ressortissants chinois." },
	/* Spanish, Portuguese, Italian: the same story */
	{ "es", "La policía investiga el robo de un banco en la capital. Según "
	  "las autoridades, los ladrones huyeron en un coche robado." },
	{ "pt", "A polícia investiga o roubo de um banco na capital. Segundo "
	  "as autoridades, os ladrões fugiram em um carro roubado." },
	{ "it", "La polizia indaga sulla rapina a una banca nella capitale. "
	  "Secondo le autorità, i ladri sono fuggiti su un'auto rubata." },
	{ "es", "La Policía Nacional detiene a 12 personas por una red de "
	  "tráfico de cocaína en Algeciras. Los agentes se incautaron de más de "
	  "dos toneladas de droga ocultas en un contenedor de plátanos." },
	{ "es", "México y Pekín firman un acuerdo contra el fentanilo. La "
	  "Secretaría de Seguridad afirmó que el convenio incluye el "
	  "intercambio de información sobre precursores químicos." },
	{ "pt", "Polícia Federal deflagra operação contra lavagem de dinheiro "
	  "no Rio de Janeiro. Foram cumpridos 25 mandados de busca e apreensão "
	  "em três estados, segundo a corporação." },
	{ "es", "LA POLICÍA DETIENE A TRES HOMBRES POR EL ROBO DE UN BANCO EN "
	  "SEVILLA" },
	/* without its accents */
	{ "pt", "A policia federal prendeu o suspeito na cidade de Sao Paulo "
	  "nesta segunda feira, segundo o ministerio." },
	{ "pt", "Governo português reforça cooperação policial com Cabo Verde. "
	  "O acordo prevê formação de agentes e troca de informações sobre o "
	  "tráfico de droga no Atlântico." },
	{ "it", "Blitz antimafia a Palermo, arrestate 30 persone. Secondo gli "
	  "investigatori, il clan controllava le estorsioni nei quartieri della "
	  "zona est della città." },
	{ "it", "La Guardia di Finanza sequestra beni per 5 milioni di euro. "
	  "L'indagine della procura di Milano riguarda una presunta frode "
	  "fiscale legata al commercio di carburanti." },
	{ "ca", "Els Mossos d'Esquadra detenen cinc persones per una xarxa de "
	  "robatoris a Barcelona. Segons la policia catalana, el grup actuava "
	  "sobretot a les zones turístiques del centre de la ciutat." },
	/* German, Dutch */
	{ "de", "Bundespolizei nimmt mutmaßliche Schleuser an der Grenze zu "
	  "Polen fest. Die Männer sollen in den vergangenen Monaten mehr als "
	  "200 Menschen nach Deutschland gebracht haben." },
	{ "de", "Chinesische Polizeistationen in Europa: Innenministerium prüft "
	  "Vorwürfe. Nach Angaben einer Menschenrechtsorganisation gibt es "
	  "auch in Frankfurt eine solche Einrichtung." },
	{ "de", "Österreich: Polizei ermittelt nach Cyberangriff auf "
	  "Landesregierung. Die Täter hatten sich über eine Sicherheitslücke "
	  "Zugang zu den Servern verschafft." },
	{ "nl", "Politie houdt drie verdachten aan na overval op juwelier in "
	  "Utrecht. De mannen werden kort na de overval in een auto op de A2 "
	  "klemgereden, meldt de politie." },
	{ "nl", "Kabinet wil strengere regels voor export van "
	  "surveillancetechnologie. Volgens de minister moet worden voorkomen "
	  "dat Nederlandse bedrijven bijdragen aan schendingen." },
	/* Indonesian and Malay */
	{ "id", "Polri dan Kepolisian Tiongkok sepakat tingkatkan kerja sama "
	  "berantas narkoba. Kesepakatan itu ditandatangani di Jakarta dan "
	  "mencakup pertukaran informasi serta pelatihan bersama bagi penyidik." },
	{ "id", "Polisi tangkap lima tersangka penipuan daring di Surabaya. Para "
	  "pelaku diduga telah meraup keuntungan hingga miliaran rupiah dari "
	  "ratusan korban." },
	{ "id", "Pemerintah Indonesia dan Malaysia membahas keamanan di "
	  "perbatasan. Kedua negara sepakat memperkuat patroli bersama di "
	  "Selat Malaka karena meningkatnya penyelundupan." },
	{ "ms", "Polis Diraja Malaysia tahan 15 individu dalam operasi "
	  "membanteras sindiket dadah. Ketua Polis Negara berkata serbuan itu "
	  "dilakukan selepas risikan selama dua bulan." },
	{ "ms", "Kerajaan akan meminda undang-undang kerana jenayah siber "
	  "semakin meningkat. Menteri berkata bahawa pindaan itu boleh dibentang "
	  "di Parlimen tahun ini." },
	/* Other Latin-script languages */
	{ "tl", "Tatlong suspek, nahuli ng pulis sa pagnanakaw sa isang bangko "
	  "sa Maynila. Ayon sa PNP, nakuha mula sa mga suspek ang mga baril at "
	  "pera na ginamit sa krimen." },
	{ "vi", "Công an TP.HCM triệt phá đường dây lừa đảo qua mạng. Các đối "
	  "tượng đã chiếm đoạt hơn 50 tỷ đồng của hàng trăm người bị hại." },
	{ "tr", "İstanbul'da uyuşturucu operasyonu: 24 gözaltı. Emniyet "
	  "ekiplerinin sabah saatlerinde düzenlediği baskınlarda çok sayıda "
	  "silah ele geçirildi." },
	{ "pl", "Policja zatrzymała gang oszustów działający na terenie całego "
	  "kraju. Według prokuratury sprawcy wyłudzili od seniorów ponad dwa "
	  "miliony złotych." },
	{ "cs", "Policie zadržela muže podezřelého z loupeže v centru Brna. "
	  "Podle mluvčí policie hrozí pachateli až deset let vězení." },
	{ "ro", "Poliția Română a destructurat o rețea de trafic de persoane. "
	  "Anchetatorii au efectuat 20 de percheziții în mai multe județe, iar "
	  "șase suspecți au fost reținuți." },
	{ "hu", "A rendőrség őrizetbe vett két férfit a budapesti ékszerrablás "
	  "után. A nyomozók szerint a gyanúsítottak több hónapon át tervezték "
	  "a bűncselekményt." },
	{ "sv", "Polisen griper två män efter skottlossning i Malmö. Enligt "
	  "polisen har ingen skadats allvarligt, men en förundersökning om "
	  "försök till mord har inletts." },
	{ "da", "Politiet har anholdt tre personer efter et røveri i København. "
	  "Ifølge politiet blev der ikke brugt våben, men ekspedienten blev "
	  "truet med vold." },
	{ "no", "Politiet har pågrepet en mann etter knivstikking i Oslo "
	  "sentrum. Ifølge politiet ble offeret fraktet til sykehus med "
	  "alvorlige skader, men er ikke lenger i livsfare." },
	{ "fi", "Poliisi otti kiinni kaksi epäiltyä Helsingin ryöstön jälkeen. "
	  "Poliisin mukaan tekijät pakenivat autolla, joka löytyi myöhemmin "
	  "hylättynä Espoosta." },
	{ "hr", "Policija uhitila dvojicu osumnjičenih za pljačku banke u "
	  "Zagrebu. Prema navodima policije, pljačkaši su pobjegli automobilom "
	  "koji je kasnije pronađen u blizini Velike Gorice." },
	{ "sr", "Policija uhapsila dvojicu osumnjičenih za pljačku banke u Novom "
	  "Sadu. Prema saopštenju MUP-a, osumnjičeni su uhapšeni posle potere, "
	  "a novac je pronađen u njihovom vozilu." },
	/* Cyrillic */
	{ "sr", "Полиција ухапсила двојицу осумњичених за пљачку банке у Новом "
	  "Саду. Према саопштењу МУП-а, осумњичени су ухапшени после потере." },
	{ "ru", "В Москве задержали подозреваемых в мошенничестве с "
	  "криптовалютой. По данным следствия, злоумышленники похитили у "
	  "граждан более 100 миллионов рублей." },
	{ "ru", "МИД России прокомментировал заявление Пекина о сотрудничестве "
	  "правоохранительных органов. Стороны договорились расширить обмен "
	  "информацией о транснациональной преступности." },
	{ "ru", "Си Цзиньпин и Путин обсудили безопасность в Центральной Азии. "
	  "Лидеры двух стран провели переговоры в Кремле." },
	/* a Ukrainian name in Russian */
	{ "ru", "Президент Украины Владимир Зеленский посетил Київ и заявил, "
	  "что переговоры с Россией пока невозможны." },
	{ "be", "Міністэрства ўнутраных спраў паведаміла пра затрыманне трох "
	  "асоб." },
	{ "mk", "Министерството за внатрешни работи соопшти дека се приведени "
	  "тројца осомничени." },
	{ "uk", "Поліція затримала чоловіка, який підпалив автомобіль у Києві. "
	  "За словами речника, підозрюваному загрожує до п'яти років "
	  "позбавлення волі." },
	{ "bg", "Полицията задържа трима души за измама с фалшиви пари в София. "
	  "Според прокуратурата те са действали от няколко месеца и са пуснали "
	  "в обращение над 10 000 лева." },
	{ "kk", "Алматы полициясы есірткі сататын топты ұстады. Тергеушілердің "
	  "айтуынша, күдіктілер қылмысты бірнеше ай бойы жасаған." },
	/* Chinese, Japanese, Korean */
	{ "zh", "公安部与东盟国家警方联合打击电信诈骗。此次行动共抓获犯罪嫌疑人一千余名，"
	  "涉案金额超过十亿元。" },
	{ "zh", "警方破獲跨境詐騙集團，逮捕三十二名嫌犯。據調查，該集團透過網路投資平台"
	  "詐騙民眾，損失金額高達新台幣五億元。" },
	{ "zh", "华为发布Mate 60 Pro，Apple和Samsung面临新竞争" },
	{ "zh", MIXED_TEXT },
	{ "zh", "外交部：中方坚决反对美方将中国企业列入实体清单" },
	{ "ja", "警視庁は、特殊詐欺グループの男ら5人を逮捕したと発表した。被害総額は約3億円"
	  "に上るとみられる。" },
	{ "ja", "東京都内で大規模な停電、JR山手線が一時運転見合わせ" },
	{ "ja", "日中の警察当局、サイバー犯罪の捜査で協力へ" },
	{ "ko", "경찰, 보이스피싱 조직원 20명 검거…피해액 50억 원. 서울경찰청은 해외에 "
	  "콜센터를 두고 범행을 저지른 일당을 붙잡았다고 밝혔다." },
	{ "ko", "한중 경찰, 마약 범죄 공동 대응 합의" },
	/* Scripts of one language, and Arabic script */
	{ "ar", "الشرطة المصرية تضبط عصابة لتهريب الآثار في الأقصر. وقالت وزارة "
	  "الداخلية إن المتهمين كانوا يخططون لبيع القطع خارج البلاد." },
	{ "fa", "پلیس تهران از دستگیری یک باند سرقت خودرو خبر داد. فرمانده "
	  "انتظامی گفت این گروه در چند ماه گذشته بیش از پنجاه خودرو را سرقت "
	  "کرده بود." },
	{ "ur", "کراچی پولیس نے منشیات فروش گروہ کے پانچ ارکان کو گرفتار کر لیا۔ "
	  "پولیس کے مطابق ملزمان سے بھاری مقدار میں منشیات برآمد ہوئی ہے۔" },
	{ "he", "המשטרה עצרה שלושה חשודים בפריצה לבנק בתל אביב. לדברי המשטרה, "
	  "החשודים נתפסו לאחר מרדף קצר." },
	{ "el", "Η αστυνομία συνέλαβε τρεις υπόπτους για τη ληστεία σε "
	  "κοσμηματοπωλείο στην Αθήνα. Σύμφωνα με τις αρχές, οι δράστες "
	  "διέφυγαν με μοτοσικλέτα." },
	{ "th", "ตำรวจจับกุมผู้ต้องหาค้ายาเสพติดรายใหญ่ที่เชียงใหม่ พร้อมยึดยาบ้ากว่าหนึ่งล้านเม็ด" },
	{ "hi", "दिल्ली पुलिस ने साइबर ठगी के आरोप में तीन लोगों को गिरफ्तार किया। "
	  "पुलिस के अनुसार आरोपियों ने सैकड़ों लोगों से लाखों रुपये ठगे।" },
	{ "bn", "ঢাকায় পুলিশের অভিযানে মাদকসহ পাঁচজন গ্রেপ্তার। পুলিশ জানিয়েছে, "
	  "তাদের কাছ থেকে বিপুল পরিমাণ ইয়াবা উদ্ধার করা হয়েছে।" },
	{ "ta", "சென்னையில் போதைப்பொருள் கடத்திய மூன்று பேர் கைது. காவல்துறையினர் "
	  "அவர்களிடமிருந்து இரண்டு கிலோ கஞ்சாவை பறிமுதல் செய்தனர்." },
	{ "ka", "პოლიციამ თბილისში ყაჩაღობის ბრალდებით ორი პირი დააკავა." },
	{ "hy", "Ոստիկանությունը Երևանում ձերբակալել է երկու կասկածյալի։" },
	{ "km", "នគរបាលបានចាប់ខ្លួនជនសង្ស័យពីរនាក់នៅភ្នំពេញ" },
	{ "lo", "ຕຳຫຼວດໄດ້ຈັບກຸມຜູ້ຕ້ອງສົງໄສສອງຄົນຢູ່ນະຄອນຫຼວງວຽງຈັນ" },
	{ "my", "ရဲတပ်ဖွဲ့သည် ရန်ကုန်မြို့တွင် သံသယရှိသူ နှစ်ဦးကို ဖမ်းဆီးခဲ့သည်" },
	/* too little evidence */
	{ NULL, "" },
	{ NULL, "   \t\n" },
	{ NULL, "2024-05-01 12:00:00 +0000" },
	{ NULL, "12 345 678,90 %" },
	{ NULL, "!!! ??? ... ---" },
	{ NULL, "Interpol" },
	{ NULL, "Huawei P60 Pro" },
	{ NULL, "中国" },
	{ NULL, "Мир" },
	{ NULL, "https://example.org/2024/05/01/" },
	/* few English words; the Han names are an aside, not the language */
	{ NULL, "Xi Jinping 习近平 meets Putin 普京 in Moscow for talks on "
	  "Ukraine" },
};
/* clang-format on */

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static int
eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* every row, many times; the number of wrong answers */
static int
worker(void *arg)
{
	long bad = 0;
	int round;
	size_t i;

	(void)arg;
	for (round = 0; round < 50; round++)
		for (i = 0; i < NROWS; i++)
			if (!eq(classify_langid(rows[i].text,
			                        strlen(rows[i].text)),
			        rows[i].want))
				bad++;
	return (int)(bad > 1000 ? 1000 : bad);
}

static void
check_threads(void)
{
	thrd_t t[2];
	int res[2] = { -1, -1 };
	int started[2] = { 0, 0 };
	int k;

	for (k = 0; k < 2; k++)
		started[k] = thrd_create(&t[k], worker, NULL) == thrd_success;
	for (k = 0; k < 2; k++)
		if (started[k])
			thrd_join(t[k], &res[k]);
	CHECK(started[0] && started[1], "two threads started");
	CHECK_INT(res[0], 0, "thread 1: every row right");
	CHECK_INT(res[1], 0, "thread 2: every row right");
}

int
main(void)
{
	static char big[200 * 1024];
	size_t i, n;

	/* first: the tables are built while two threads race for them */
	check_threads();

	for (i = 0; i < NROWS; i++)
		CHECK_STR(classify_langid(rows[i].text, strlen(rows[i].text)),
		          rows[i].want, "row %zu: %.40s", i, rows[i].text);
	CHECK(NROWS >= 60, "at least 60 rows (%zu)", NROWS);

	/* the length is what counts, not a NUL */
	CHECK_STR(classify_langid(NULL, 0), NULL, "NULL text");
	CHECK_STR(classify_langid(rows[0].text, 0), NULL, "length 0");
	CHECK_STR(classify_langid("the police and the army\0garbage", 23), "en",
	          "len stops before the NUL");

	/* invalid UTF-8: skipped, never read past the end */
	CHECK_STR(classify_langid("\xff\xfe\xc3", 3), NULL, "only bad bytes");
	CHECK_STR(classify_langid("\xe4\xb8", 2), NULL, "cut sequence");
	{
		const char *t = "The police \xff\xc0 said that the suspects "
		                "were \xed\xa0\x80 arrested in the city "
		                "\xe6\xb5";

		CHECK_STR(classify_langid(t, strlen(t)), "en",
		          "bad bytes inside English");
	}
	/* a word longer than the buffer, apostrophes in odd places */
	{
		const char *t = "Donaudampfschifffahrtsgesellschaftskapitän "
		                "''' l' 'the of the police' and the army's "
		                "men were there ’’";

		CHECK_STR(classify_langid(t, strlen(t)), "en",
		          "long word and stray apostrophes");
	}
	/* a long text of one language, repeated */
	n = 0;
	while (n + strlen(FR_TEXT) + 1 < sizeof(big)) {
		memcpy(big + n, FR_TEXT, strlen(FR_TEXT));
		n += strlen(FR_TEXT);
		big[n++] = ' ';
	}
	CHECK_STR(classify_langid(big, n), "fr", "%zu bytes of French", n);
	/* every prefix of a mixed text: no crash, no read past len */
	{
		const char *t = MIXED_TEXT;
		size_t len = strlen(t);
		int fine = 1;

		for (i = 0; i <= len; i++) {
			char *copy = malloc(i ? i : 1);
			const char *r;

			if (!copy)
				break;
			memcpy(copy, t, i);
			r = classify_langid(copy, i);
			if (r && strlen(r) != 2)
				fine = 0;
			free(copy);
		}
		CHECK(fine, "every prefix of a CJK/Latin text");
	}
	return check_done();
}
