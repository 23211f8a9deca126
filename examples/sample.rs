//! The cookbook's `sample.c`: an array of records passed to a C `struct*`,
//! where the cookbook warns "be aware of padding issues!". Here the padding
//! is a checked fact: the Rust struct's layout (from the Rust compiler) is
//! compared with the C declaration before any call.

use rctypes::{CStruct, CType, StructLayout, TypedCFunc, c_struct};

c_struct! {
    /// sample.h's `Weather`: `{ int timestamp; char desc[12]; }`.
    #[derive(Debug)]
    struct Weather {
        timestamp: i32,
        desc: [u8; 12],
    }

    /// sample.h's `Padded`: `{ char c; double d; }`, with 7 bytes of padding.
    #[derive(Debug)]
    struct Padded {
        c: i8,
        d: f64,
    }
}

impl Weather {
    fn new(timestamp: i32, desc: &str) -> rctypes::Result<Weather> {
        let mut w = Weather {
            timestamp,
            desc: [0; 12],
        };
        // Checked: a description longer than 12 bytes is an error.
        w.set_field("desc", desc)?;
        Ok(w)
    }
}

fn main() -> rctypes::Result<()> {
    // _sample = N.ctypeslib.load_library('libsample', '.')
    // SAFETY: the project's own libsample has no initialisers.
    let lib = unsafe { rctypes::load_library("sample", env!("RCTYPES_CSRC_DIR"))? };

    // The struct as sample.h declares it, checked against the Rust one.
    let weather_c = StructLayout::builder("Weather")
        .field("timestamp", CType::Int)
        .field("desc", CType::array(CType::Char, 12))
        .build()?;
    Weather::check_against(&weather_c)?;
    println!("{weather_c}");
    let weather = CType::Struct(weather_c);

    // _sample.print_weather.argtypes = [ndpointer(dat_dtype, flags='aligned, contiguous'), c_int]
    // SAFETY: sample.c's functions read `nelems` records from `w`.
    let (print_weather, sum_timestamps, find_weather) = unsafe {
        (
            lib.function(
                "print_weather",
                &[CType::pointer(weather.clone()), CType::Int],
                CType::Void,
            )?,
            lib.function(
                "sum_timestamps",
                &[CType::const_pointer(weather.clone()), CType::Int],
                CType::LongLong,
            )?,
            lib.function(
                "find_weather",
                &[
                    CType::const_pointer(weather.clone()),
                    CType::Int,
                    CType::CharP,
                ],
                CType::Int,
            )?,
        )
    };

    // The seed's four records.
    let mut records = [
        Weather::new(1126877361, "sunny")?,
        Weather::new(1126877371, "rain")?,
        Weather::new(1126877385, "damn nasty")?,
        Weather::new(1126877387, "sunny")?,
    ];
    let n = records.len() as i32;
    print_weather.call(&[(&mut records).into(), n.into()])?;

    // The checkable siblings.
    let total = sum_timestamps
        .call(&[(&records).into(), n.into()])?
        .to::<i64>()?;
    assert_eq!(
        total,
        records.iter().map(|w| w.timestamp as i64).sum::<i64>()
    );
    let found = find_weather
        .call(&[(&records).into(), n.into(), "damn nasty".into()])?
        .to::<i32>()?;
    assert_eq!(found, 2);
    println!("sum of timestamps: {total}; \"damn nasty\" is record {found}");
    println!("record 1 by name: {:?}", records[1].field("desc")?);

    // {char c; double d;}: C pads `d` to offset 8, numpy's align=True.
    let padded_c = StructLayout::builder("Padded")
        .field("c", CType::Char)
        .field("d", CType::Double)
        .build()?;
    Padded::check_against(&padded_c)?;
    println!("{padded_c}");
    // Declared without the padding (numpy's default, align=False, packs
    // fields as #pragma pack(1) does), it is refused before any call.
    let unpadded = StructLayout::builder("Padded")
        .field("c", CType::Char)
        .field("d", CType::Double)
        .pack(1)
        .build()?;
    let refused = Padded::check_against(&unpadded).unwrap_err();
    println!("refused: {refused}");
    assert!(
        refused
            .to_string()
            .contains("offset 8 in the Rust struct, 1")
    );

    // The same layouts, read from sample.h itself by the C declaration parser.
    let header = rctypes::Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/sample.h"), &[])?;
    let from_header = |tag: &str| header.declarations.layout(tag).cloned();
    Weather::check_against(&from_header("Weather_t").expect("sample.h defines Weather_t"))?;
    Padded::check_against(&from_header("Padded_t").expect("sample.h defines Padded_t"))?;
    // SAFETY: the header is the library's own.
    let bound = unsafe { header.bind(&lib) };
    let total = bound.functions["sum_timestamps"]
        .call(&[(&records).into(), n.into()])?
        .to::<i64>()?;
    println!("sum of timestamps through sample.h's own declaration: {total}");

    // SAFETY: sample.c: `double sum_padded(const Padded *p, int nelems)`.
    let sum_padded = unsafe {
        lib.function(
            "sum_padded",
            &[CType::const_pointer(CType::Struct(padded_c)), CType::Int],
            CType::Double,
        )?
    };
    let padded = [Padded { c: 1, d: 0.5 }, Padded { c: 2, d: 0.25 }];
    let sum = sum_padded
        .call(&[(&padded).into(), 2.into()])?
        .to::<f64>()?;
    assert_eq!(sum, 3.75);
    // The typed form: &[Padded] is `const Padded*`, checked once.
    let sum_padded: TypedCFunc<(&[Padded], i32), f64> = sum_padded.typed()?;
    assert_eq!(sum_padded.call((&padded, 2)), 3.75);
    println!("sum_padded: {sum}");

    // Weather records where Padded ones are declared: refused.
    let err = sum_timestamps
        .call(&[(&padded).into(), 2.into()])
        .unwrap_err();
    println!("refused: {err}");
    Ok(())
}
