"""Names and pronouns: first names by gender, surnames in groups, pronoun shares.

Data only. Names carry accents and other scripts on purpose: pages, search and
the importer must handle them.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WOMEN = _words(
    "Emily Sarah Jessica Ashley Megan Lauren Rachel Hannah Olivia Emma Sophia Ava Chloé Zoë Maya "
    "Aisha Fatima Priya Ananya Mei Ling Yuna Ji-woo Hana Thảo Linh María Lucía Sofía Valentina "
    "Camila Gabriela Ximena Guadalupe Rosa Ana Isabel Carmen Leticia Keisha Imani Aaliyah Jasmine "
    "Ebony Tanisha Nia Zainab Amara Chiamaka Adaeze Ngozi Nadia Leila Yasmin Noor Shira Tamar "
    "Miriam Rebecca Naomi Esther Katarzyna Agnieszka Olena Svetlana Irina Anya Ingrid Astrid "
    "Siobhán Niamh Aoife Margaret Elizabeth Catherine Jennifer Michelle Stephanie Nicole Amanda "
    "Kimberly Heather Amy Erin Kathleen Diane Susan Linda Patricia Deborah Brenda Denise Monica "
    "Angela Renée Dominique Geneviève Josephine Claire Julia Natalie Vanessa Tiffany Kayla "
    "Brianna Destiny Mariana Paola Daniela Noemí Inés Beatriz Mónica Francesca Giulia Keiko Aiko "
    "Sakura Saanvi Deepa Kavya Meera Lakshmi Farah Samira Dalia Layla Hoa Lan Mai Ngọc Sunita "
    "Yesenia Marisol Alejandra Pilar Rocío Itzel Citlali Grace Abigail Madison Charlotte Harper "
    "Evelyn Audrey Ruth Joanna Molly Bethany Colleen Tonya LaToya Shanice Danielle Crystal Andrea"
)
MEN = _words(
    "James Michael David Daniel Matthew Andrew Joshua Ryan Brian Kevin Jason Justin Brandon Tyler "
    "Nathan Ethan Noah Liam Lucas Benjamin Samuel Jonathan Christopher Anthony Mark Paul Steven "
    "Thomas Robert William Richard Charles Joseph Gregory Patrick Sean Connor Declan Marcus "
    "Darnell DeShawn Jamal Malik Terrence Andre Jerome Tyrone Isaiah Elijah Xavier José Luis "
    "Carlos Juan Miguel Alejandro Javier Diego Mateo Santiago Andrés Raúl Ramón Jesús Héctor "
    "Óscar Joaquín Emilio Wei Jun Hao Minh Huy Quang Dũng Tuấn Min-jun Seo-jun Hyun Jae Hiroshi "
    "Kenji Takeshi Raj Arjun Vikram Rohan Sanjay Amit Omar Ahmed Yusuf Karim Tariq Hassan Ali "
    "Mehdi Reza Dariush Chidi Emeka Kwame Kofi Tunde Oluwaseun Tesfaye Abdi Mohamed Ibrahim Avi "
    "Eli Yosef Noam Dmitri Sergei Pavel Tomasz Piotr Mikhail Oleksandr Jakub Lars Søren Björn "
    "Niklas Jürgen Matthias François Étienne Jean-Luc Luca Marco Giovanni Stefano Kieran Ciarán "
    "Eoin Rhys Aaron Adam Caleb Gabriel Henry Jack Owen Peter Scott Timothy Victor Zachary Derek"
)
NEUTRAL = _words(
    "Alex Jordan Taylor Morgan Casey Riley Jamie Avery Quinn Rowan Sage River Skyler Emerson "
    "Reese Kai Ari Noa Sasha Robin Charlie Frankie Jules Remy Ash Marlowe Devon Kendall Dakota "
    "Peyton Elliot Blair Kiran Sam Drew René Jessie Shiloh Wren Indigo Finley Hayden Lane Sol"
)
# Surname groups with a language some of them speak and identity keywords some
# of them share: a mild, realistic correlation, never a rule.
SURNAME_GROUPS: tuple[tuple[float, str, str, tuple[str, ...]], ...] = (
    (
        44,
        "",
        (
            "Smith Johnson Williams Brown Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
            "Thompson White Harris Clark Lewis Walker Hall Allen Young King Wright Scott Green Baker "
            "Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins "
            "Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly "
            "Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray James Hughes Price Sanders "
            "Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Fisher Henderson Coleman "
            "Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Woods Cole West Owens Marshall "
            "Ellis McDonald O'Brien O'Connor Gallagher Schmidt Becker Wagner Larson Olson Lindqvist "
            "Sørensen Müller Schäfer Krüger Lefèvre Dubois Rossi Russo Esposito Romano Washington "
            "Jackson Jefferson Banks Robinson Freeman Mosley Gaines Dorsey Battle Whitfield Holloway "
            "Abernathy Underwood Kingsley Fairchild Hargrove Pemberton Thornton Whitaker Lockhart"
        ),
        (),
    ),
    (
        16,
        "es",
        (
            "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
            "Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Castillo Jiménez Vargas "
            "Mendoza Ruiz Álvarez Romero Herrera Medina Aguilar Castro Vásquez Peña Domínguez Navarro "
            "Rojas Soto Delgado Figueroa Santiago Colón Ibáñez Muñoz Núñez Cabrera Acosta Salazar"
        ),
        ("hispanic", "latin"),
    ),
    (
        4,
        "zh",
        "Chen Wang Li Zhang Liu Huang Lin Wu Zhou Xu Lam Chan Wong Leung Tsai Cheng",
        ("chinese", "east-asian", "asian"),
    ),
    (
        3,
        "vi",
        "Nguyễn Trần Lê Phạm Huỳnh Võ Đặng Bùi Đỗ Hoàng",
        ("vietnamese", "southeast-asian", "asian"),
    ),
    (2.5, "ko", "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim", ("korean", "east-asian", "asian")),
    (
        4,
        "hi",
        (
            "Patel Shah Singh Sharma Gupta Desai Mehta Iyer Reddy Rao Chatterjee Banerjee Kapoor "
            "Malhotra Krishnan"
        ),
        ("south-asian", "asian"),
    ),
    (
        2,
        "ar",
        "Haddad Khalil Nasser Saleh Hassan Ibrahim Mansour Farah Aziz Darwish Khoury",
        ("middle-eastern", "mena", "arab"),
    ),
    (
        2,
        "tl",
        "Santos Bautista Dela_Cruz Villanueva Aquino Manalo Pascual Mercado Soriano",
        ("filipin", "southeast-asian", "asian"),
    ),
    (
        3,
        "he",
        "Cohen Levy Goldberg Katz Friedman Rosen Shapiro Weiss Stein Klein Feldman Adler",
        ("jewish",),
    ),
    (2, "uk", "Shevchenko Bondarenko Kovalenko Novak Kowalski Nowak Horvat Novák Wiśniewski", ()),
    (
        1.5,
        "ja",
        "Tanaka Suzuki Sato Takahashi Watanabe Yamamoto Nakamura Kobayashi",
        ("japanese", "east-asian", "asian"),
    ),
    (1.5, "fa", "Tehrani Rahimi Hosseini Karimi Moradi Ahmadi Jafari", ("middle-eastern", "mena")),
    (
        2,
        "ht",
        "Jean-Baptiste Pierre Toussaint Joseph Charles Baptiste Dorvil Étienne",
        ("black", "caribbean"),
    ),
    (
        2,
        "",
        "Okafor Adeyemi Mensah Osei Nwosu Abebe Tesfaye Diallo Kamau Achebe Eze Boateng",
        ("black", "african"),
    ),
    (1, "el", "Papadopoulos Nikolaidis Georgiou Christodoulou Alexiou", ()),
)
# (pronouns, weight) per gender; "" leaves pronouns out.
PRONOUNS = {
    "woman": (("she/her", 86), ("she/they", 5), ("", 9)),
    "man": (("he/him", 88), ("he/they", 3), ("", 9)),
    "nonbinary": (("they/them", 78), ("she/they", 9), ("he/they", 8), ("ze/zir", 5)),
    "": (("", 80), ("they/them", 20)),
}
OTHER_GENDERS = ("genderqueer", "agender", "two-spirit", "genderfluid")
